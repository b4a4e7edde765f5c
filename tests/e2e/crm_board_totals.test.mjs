// The board's column heads show the true totals of the stage — the count and the amounts per
// currency of every deal the filters select — not the sum of the 20 cards loaded; a move
// shifts them at once; a master sees the totals of his own orders only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, setCompanyLanguage, clientAs, create,
  screenshot, PHONE } from './helpers.mjs';

const OPERATOR = 'm.popova';
let server, browser, op;
before(async () => {
  server = await startServer({ preset: 'eshop' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  op = await clientAs(server.url, OPERATOR);
  // 25 orders of 1 000 ₽ and two of 15 $ in "No answer": more than a column loads at once
  for (let i = 0; i < 25; i++) await create(op, 'deals', { title: `Sumburg order ${i}`, pipeline: 'orders', stage: 'no_answer', amount: 100000, currency: 'RUB', city: 'Sumburg' });
  for (let i = 0; i < 2; i++) await create(op, 'deals', { title: `Sumburg export ${i}`, pipeline: 'orders', stage: 'no_answer', amount: 1500, currency: 'USD', city: 'Sumburg' });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const column = (page, stage) => page.getByTestId('column-' + stage);

test('a column head shows the count and sums of all its deals, not of the loaded cards', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, OPERATOR);
  await page.goto(server.url + '/deals/board?q=Sumburg');
  const col = column(page, 'no_answer');
  await expectText(col.getByTestId('column-count'), '27');
  // the totals and the cards arrive by separate requests: wait for the page of cards
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=column-no_answer] [data-card]').length === 20);
  await col.getByTestId('column-more').waitFor();
  await expectText(col.locator('[data-currency=RUB]'), /25,000/);
  await expectText(col.locator('[data-currency=USD]'), /30/);
  await expectText(column(page, 'new').getByTestId('column-count'), '0');
  assert.equal(await column(page, 'new').getByTestId('column-sum').count(), 0, 'an empty column has no sum');
  await screenshot(page, 'board-totals-desktop');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a move shifts the totals at once and they agree with the server after it', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, OPERATOR);
  await page.goto(server.url + '/deals/board?q=Sumburg');
  const from = column(page, 'no_answer');
  await expectText(from.getByTestId('column-count'), '27');
  const first = from.locator('[data-card]').first();
  await first.focus();
  await page.keyboard.press('m');
  await page.getByTestId('move-dialog').waitFor();
  await page.getByTestId('move-to-new').click();
  await expectText(from.getByTestId('column-count'), '26');
  await expectText(column(page, 'new').getByTestId('column-count'), '1');
  await expectText(column(page, 'new').getByTestId('column-sum'), /1,000|\$15/);
  // the board counts at once; the server agrees once the move's request is through
  let count;
  for (let i = 0; i < 100; i++) {
    const r = await op.get('/api/pipelines/orders/summary?q=Sumburg');
    count = r.json.stages.find((s) => s.stage === 'no_answer').count;
    if (count === 26) break;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.equal(count, 26);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a master sees the totals of his own orders; the phone layout keeps them readable', async () => {
  const admin = await clientAs(server.url, 'admin');
  const masters = (await admin.get('/api/users?limit=200')).json.items.filter((u) => u.role === 'master');
  const mine = await create(admin, 'deals', { title: 'Sumburg install', pipeline: 'orders', stage: 'rescheduled', amount: 777700, currency: 'RUB', city: 'Sumburg', owner_id: masters[0].id });
  const page = await openPage(browser, { viewport: PHONE });
  await signIn(page, server.url, masters[0].login);
  await page.goto(server.url + '/deals/board?q=Sumburg');
  await expectText(column(page, 'rescheduled').getByTestId('column-count'), '1');
  await expectText(column(page, 'rescheduled').locator('[data-currency=RUB]'), /7,777/);
  await expectText(column(page, 'no_answer').getByTestId('column-count'), '0');
  await page.getByTestId('card-' + mine.id).waitFor();
  await column(page, 'rescheduled').scrollIntoViewIfNeeded();
  await screenshot(page, 'board-totals-phone');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});
