// htm bound to Preact: html`<div class=${c}>${children}</div>` instead of JSX (no build step).
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
