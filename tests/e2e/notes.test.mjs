// Notes on record cards and the notification bell: an agent @mentions a colleague through the
// autocomplete, the colleague's bell counts it live (Server-Sent Events, no reload), the click
// lands on the record with the note pinned until read. Also: Ctrl+Enter, refused mentions,
// deleting a note, the stream after a refusal and after logout, the phone layout, Russian.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, signOut, expectText, expectPath, setCompanyLanguage,
  clientAs, create, screenshot, horizontalOverflow, PHONE } from './helpers.mjs';

const AGENT = 'i.smirnov';
let server, browser, agent, admin, seq = 0;
before(async () => {
  server = await startServer({ preset: 'dealers' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  agent = await clientAs(server.url, AGENT);
  admin = await clientAs(server.url, 'admin');
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const company = (name) => create(agent, 'companies', { name: `${name} ${++seq}`, pipeline: 'dealers' });
const notesOf = async (c, entity, id) => (await c.get(`/api/notes?entity=${entity}&record_id=${id}`)).json.items;
const unreadOf = async (c) => (await c.get('/api/notifications?limit=1')).json.unread;
// the bell settles at once; the server once the "read" request is through: its count, waited for
async function settledUnread(c, want = 0) {
  let n = await unreadOf(c);
  for (let i = 0; i < 200 && n !== want; i++) { await new Promise((ok) => setTimeout(ok, 50)); n = await unreadOf(c); }
  return n;
}
const timelineNotes = (page) => page.getByTestId('timeline').locator('[data-testid=timeline-item][data-kind^=note]');

async function openCard(page, id) {
  await page.goto(server.url + '/companies/' + id);
  await page.getByTestId('note-input').waitFor();
}

test('@mention a colleague and see their notification', async () => {
  const co = await company('ООО «Упоминание»');
  await admin.post('/api/notifications/read', { all: true });

  // B (the administrator) works elsewhere: the list of contacts
  const pageB = await openPage(browser);
  await signIn(pageB, server.url, 'admin');
  await pageB.goto(server.url + '/contacts');
  await pageB.getByTestId('bell-button').waitFor();
  assert.equal(await pageB.getByTestId('bell-count').count(), 0, 'nothing unread yet');
  await pageB.evaluate(() => { window.__sameDocument = true; });

  // A (the agent) writes a note on the card, picking B from the @ autocomplete with the keyboard
  const pageA = await openPage(browser);
  await signIn(pageA, server.url, AGENT);
  await openCard(pageA, co.id);
  const input = pageA.getByTestId('note-input');
  await input.click();
  await input.pressSequentially('Согласуйте скидку 5%, @adm');
  const option = pageA.getByTestId('mention-option');
  await expectText(option.first(), /Григорьев Андрей Павлович\s*@admin/);
  assert.equal(await option.count(), 1, 'only colleagues who can open the company are offered');
  await input.press('Enter');
  assert.equal(await input.inputValue(), 'Согласуйте скидку 5%, @admin ');
  assert.equal(await pageA.getByTestId('mention-list').count(), 0, 'the list closes after a pick');
  await input.pressSequentially('берут большую партию');
  await input.press('Control+Enter');

  const mine = pageA.getByTestId('note').first();
  await expectText(mine.getByTestId('note-body'), 'Согласуйте скидку 5%, @admin берут большую партию');
  await expectText(mine.locator('.mention'), '@admin');
  assert.equal(await mine.getByTestId('mention-chip').getAttribute('data-read'), 'false');
  assert.equal(await input.inputValue(), '', 'the composer is cleared');
  await expectText(timelineNotes(pageA).first(), /Note: Согласуйте скидку 5%, @admin берут большую партию/);
  await expectText(pageA.getByTestId('toast').last(), /Notified: Григорьев Андрей Павлович/);

  // B's bell counts it at once, without a reload, and a toast says so
  await expectText(pageB.getByTestId('bell-count'), '1', 8000);
  await expectText(pageB.getByTestId('toast').last(), /You were mentioned — Смирнов Игорь Владимирович: ООО «Упоминание»/);
  assert.equal(await pageB.evaluate(() => window.__sameDocument), true, 'the page was reloaded');
  assert.match(await pageB.getByTestId('bell-button').getAttribute('aria-label'), /1 unread/);

  // the panel lists it, unread; a click opens the company and reads the notification
  await pageB.getByTestId('bell-button').click();
  const item = pageB.getByTestId('bell-item').first();
  assert.equal(await item.getAttribute('data-unread'), 'true');
  await expectText(item, /Смирнов Игорь Владимирович: ООО «Упоминание» \d+[\s\S]*@admin берут большую партию[\s\S]*Mentioned you/);
  await item.click();
  await expectPath(pageB, '/companies/' + co.id);
  await expectText(pageB.getByTestId('page-title'), `ООО «Упоминание» ${seq}`);
  assert.equal(await pageB.getByTestId('bell-panel').count(), 0, 'the panel closes');
  await pageB.getByTestId('bell-count').waitFor({ state: 'detached' });
  assert.equal(await settledUnread(admin), 0);

  // on the card the note is pinned for B until B marks it read
  const pinned = pageB.getByTestId('pinned-note');
  await expectText(pinned.getByTestId('note-body'), /@admin берут большую партию/);
  await expectText(pageB.getByTestId('notes-pinned'), /^Mentions you/i);
  assert.ok(await pageB.getByTestId('notes').evaluate((el) => el.getBoundingClientRect().top < innerHeight), 'the notes are in view');
  await screenshot(pageB, 'notes-pinned-desktop-en');
  await pinned.getByTestId('note-read').click();
  await pageB.getByTestId('notes-pinned').waitFor({ state: 'detached' });
  await expectText(pageB.getByTestId('note').first().getByTestId('note-body'), /@admin берут большую партию/);
  assert.equal(await pageB.getByTestId('note').first().getByTestId('mention-chip').getAttribute('data-read'), 'true');
  const [note] = await notesOf(agent, 'company', co.id);
  assert.equal(note.mentions[0].read, true, 'the author can see it was read');

  // after a reload it stays read and unpinned
  await pageB.reload();
  await pageB.getByTestId('note').first().waitFor();
  assert.equal(await pageB.getByTestId('notes-pinned').count(), 0);
  assert.deepEqual(pageA.errors, []);
  assert.deepEqual(pageB.errors, []);
  await closePage(pageA);
  await closePage(pageB);
});

test('reading the pinned note on the card also settles the bell; mark all read; more items on demand', async () => {
  const co = await company('ООО «Прочтение»');
  await agent.post('/api/notifications/read', { all: true });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await openCard(page, co.id);
  assert.equal(await page.getByTestId('notes-pinned').count(), 0);

  // a mention of the agent on the card they are looking at: pinned at once, bell +1
  let r = await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${AGENT} перезвони им сегодня` });
  assert.equal(r.status, 201, r.text);
  await expectText(page.getByTestId('pinned-note').getByTestId('note-body'), `@${AGENT} перезвони им сегодня`);
  await expectText(timelineNotes(page).first(), new RegExp(`^Note: @${AGENT} перезвони им сегодня\n`));
  await expectText(page.getByTestId('bell-count'), '1');
  await page.getByTestId('note-read').click();
  await page.getByTestId('bell-count').waitFor({ state: 'detached' });
  assert.equal(await settledUnread(agent), 0);

  // 25 mentions elsewhere: "99+" never, 25 shown as 25; the panel pages by 20
  const other = await company('ООО «Много»');
  for (let i = 0; i < 25; i++) {
    r = await admin.post('/api/notes', { entity: 'company', record_id: other.id, body: `@${AGENT} вопрос ${i}` });
    assert.equal(r.status, 201, r.text);
  }
  await expectText(page.getByTestId('bell-count'), '25', 8000);
  await page.getByTestId('bell-button').click();
  await expectText(page.getByTestId('bell-item').first(), /вопрос 24/);
  assert.equal(await page.getByTestId('bell-item').count(), 20);
  await page.getByTestId('bell-more').click();
  await expectText(page.getByTestId('bell-item').nth(24), /вопрос 0/);
  await expectText(page.getByTestId('bell-item').last(), /перезвони им сегодня/);
  assert.equal(await page.getByTestId('bell-item').count(), 25 + 1, 'every notification, the read one too');
  await page.getByTestId('bell-read-all').click();
  await page.getByTestId('bell-count').waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-testid=bell-item][data-unread=true]').count(), 0);
  assert.equal(await settledUnread(agent), 0);
  // Escape closes the panel and gives the focus back to the bell
  await page.keyboard.press('Escape');
  await page.getByTestId('bell-panel').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'bell-button');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('the keyboard: arrows pick among colleagues, Escape closes the list, Ctrl+Enter posts; refused notes keep their text', async () => {
  const co = await company('ООО «Клавиатура»');
  const second = await admin.post('/api/users', { login: 'b.belova', name: 'Белова Вера', password: 'password-123', role: 'admin' });
  assert.equal(second.status, 201, second.text);
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await openCard(page, co.id);
  const input = page.getByTestId('note-input');

  // an empty note is not sent
  await input.press('Control+Enter');
  await expectText(page.getByTestId('note-error'), 'Write something first.');

  // "@" alone offers everybody who can open the company, by name; ↓ and Enter take the second
  await input.pressSequentially('Вопрос к @');
  await expectText(page.getByTestId('mention-option').first(), /Белова Вера\s*@b\.belova/);
  assert.deepEqual(await page.getByTestId('mention-option').evaluateAll((els) => els.map((e) => e.dataset.login)), ['b.belova', 'admin']);
  assert.equal(await page.getByTestId('mention-option').first().getAttribute('aria-selected'), 'true');
  await input.press('ArrowDown');
  assert.equal(await page.getByTestId('mention-option').nth(1).getAttribute('aria-selected'), 'true');
  assert.equal(await input.getAttribute('aria-activedescendant'), await page.getByTestId('mention-option').nth(1).getAttribute('id'));
  await input.press('Enter');
  assert.equal(await input.inputValue(), 'Вопрос к @admin ');

  // a name fragment in Cyrillic finds the colleague; Escape closes the list and keeps the text
  await input.pressSequentially('и @бел');
  await expectText(page.getByTestId('mention-option').first(), /Белова Вера/);
  assert.equal(await page.getByTestId('mention-option').count(), 1);
  await input.press('Escape');
  await page.getByTestId('mention-list').waitFor({ state: 'detached' });
  assert.equal(await input.inputValue(), 'Вопрос к @admin и @бел');
  // nobody matches: the list says so
  await input.pressSequentially('zzz');
  await expectText(page.getByTestId('mention-none'), 'No colleague who can open this record matches “белzzz”.');

  // a login nobody has: refused with a clear message, the text stays for fixing
  await input.fill('Вопрос к @admin и @nobody');
  await input.press('Control+Enter');
  await expectText(page.getByTestId('note-error'), 'There is no active colleague @nobody.');
  assert.equal(await input.inputValue(), 'Вопрос к @admin и @nobody');
  // a colleague who cannot open the company (another agent): refused too, nothing stored
  await input.fill('@y.nikitina посмотри');
  await input.press('Control+Enter');
  await expectText(page.getByTestId('note-error'), '@y.nikitina cannot open this record. Hand it over first, or mention someone who can.');
  assert.deepEqual(await notesOf(agent, 'company', co.id), []);

  // fixed: Ctrl+Enter posts it, both mentioned
  await input.fill('Вопрос к @admin и @b.belova: какие условия?');
  await input.press('Control+Enter');
  await expectText(page.getByTestId('note').first().getByTestId('note-body'), 'Вопрос к @admin и @b.belova: какие условия?');
  assert.equal(await page.getByTestId('note-error').count(), 0);
  assert.equal(await page.getByTestId('note').first().getByTestId('mention-chip').count(), 2);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'note-input', 'the focus stays for the next note');
  // Enter alone is a line break
  await input.pressSequentially('первая строка');
  await input.press('Enter');
  await input.pressSequentially('вторая');
  await input.press('Control+Enter');
  await expectText(page.getByTestId('note').first().getByTestId('note-body'), 'первая строка\nвторая');
  assert.equal((await notesOf(agent, 'company', co.id)).length, 2);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a note is deleted by its author after a confirmation; the history says so; others cannot', async () => {
  const co = await company('ООО «Удаление»');
  const byAdmin = await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: 'заметка администратора' });
  assert.equal(byAdmin.status, 201);
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await openCard(page, co.id);
  const input = page.getByTestId('note-input');
  await input.fill('лишняя заметка');
  await input.press('Control+Enter');
  const note = page.getByTestId('note').first();
  await expectText(note.getByTestId('note-body'), 'лишняя заметка');
  await expectText(page.getByTestId('notes-count'), '2');

  // the administrator's note has no Delete for the agent
  const adminsNote = page.locator(`[data-testid=note][data-id="${byAdmin.json.id}"]`);
  assert.equal(await adminsNote.getByTestId('note-delete').count(), 0);

  // cancel keeps it; confirm deletes it
  await note.getByTestId('note-delete').click();
  await note.getByTestId('note-delete-no').click();
  assert.equal(await page.getByTestId('note').count(), 2);
  await note.getByTestId('note-delete').click();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'note-delete-yes', 'the confirmation has the focus');
  await page.keyboard.press('Enter');
  await expectText(page.getByTestId('toast').last(), 'The note was deleted.');
  await expectText(page.getByTestId('notes-count'), '1');
  assert.deepEqual((await notesOf(agent, 'company', co.id)).map((n) => n.body), ['заметка администратора']);
  await expectText(timelineNotes(page).first(), /^Note deleted: лишняя заметка\n/);
  assert.equal(await timelineNotes(page).first().getAttribute('data-kind'), 'note_deleted');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('the live stream: one per tab, back after a refusal with what was missed, closed by logout', async () => {
  const co = await company('ООО «Поток»');
  await agent.post('/api/notifications/read', { all: true });
  const page = await openPage(browser);
  const streams = [];
  page.on('request', (req) => { if (new URL(req.url()).pathname === '/api/events') streams.push(Date.now()); });
  // the first stream is refused as a stopping server would (503): the browser gives up, the app retries
  let refused = 0;
  await page.route('**/api/events', async (route) => {
    if (refused++ === 0) return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"stopping"}}' });
    return route.fallback();
  });
  const loaded = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/notifications', { timeout: 15000 });
  await signIn(page, server.url, AGENT);
  await page.getByTestId('bell-button').waitFor();
  // meanwhile a colleague mentions the agent: the stream is down, so it is missed live…
  await loaded;
  const r = await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${AGENT} пока тебя не было` });
  assert.equal(r.status, 201, r.text);
  // …and caught up when the stream is back
  await expectText(page.getByTestId('bell-count'), '1', 15000);
  assert.ok(streams.length >= 2, 'the stream was opened again');
  // live again: the next mention arrives by itself
  await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${AGENT} и ещё одно` });
  await expectText(page.getByTestId('bell-count'), '2', 8000);
  await page.unroute('**/api/events');

  // logout closes the stream; nothing reconnects (the server asks for 3 s between tries)
  await signOut(page);
  const at = Date.now();
  await new Promise((res) => setTimeout(res, 4500));
  assert.deepEqual(streams.filter((x) => x > at), [], 'a stream was opened after logout');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('phone: the bell panel fills the width under the top bar, the notes and the autocomplete fit', async () => {
  const co = await company('ООО «Телефон»');
  await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${AGENT} длинная заметка о том, что клиент просит перезвонить после обеда и прислать новый прайс` });
  const page = await openPage(browser, { viewport: PHONE });
  await signIn(page, server.url, AGENT);
  await page.getByTestId('bell-count').waitFor();
  await page.getByTestId('bell-button').click();
  const panel = page.getByTestId('bell-panel');
  const box = await panel.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `the panel sticks out: ${JSON.stringify(box)}`);
  assert.ok(box.width >= PHONE.width - 24, 'the panel uses the width of the phone');
  const item = await page.getByTestId('bell-item').first().boundingBox();
  assert.ok(item.height >= 44, 'an item is big enough for a finger');
  assert.equal(await horizontalOverflow(page), 0);
  await screenshot(page, 'bell-phone-en');

  // the click brings the pinned note into view, far down the card
  await page.getByTestId('bell-item').first().click();
  await expectPath(page, '/companies/' + co.id);
  await page.getByTestId('pinned-note').waitFor();
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-testid=pinned-note]').getBoundingClientRect();
    return scrollY > 0 && r.top >= 0 && r.bottom <= innerHeight;
  });
  const input = page.getByTestId('note-input');
  await input.click();
  await input.pressSequentially('@a');
  await page.getByTestId('mention-option').first().waitFor();
  const list = await page.getByTestId('mention-list').boundingBox();
  assert.ok(list.x >= 0 && list.x + list.width <= PHONE.width, 'the autocomplete sticks out');
  assert.equal(await horizontalOverflow(page), 0);
  await screenshot(page, 'notes-phone-en');
  // a tap on a colleague puts the mention in
  await page.locator('[data-testid=mention-option][data-login=admin]').click();
  assert.equal(await input.inputValue(), '@admin ');
  await page.getByTestId('mention-list').waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('Russian: the notes panel, the bell and the history speak Russian', async () => {
  const co = await company('ООО «Русский»');
  await agent.post('/api/notifications/read', { all: true });
  await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${AGENT} проверь реквизиты` });
  const page = await openPage(browser, { locale: 'ru-RU' });
  await page.addInitScript(() => localStorage.setItem('voronka.lang', 'ru'));
  await signIn(page, server.url, AGENT);
  await expectText(page.getByTestId('bell-count'), '1');
  assert.equal(await page.getByTestId('bell-button').getAttribute('aria-label'), 'Уведомления: 1 непрочитанное');
  await page.getByTestId('bell-button').click();
  await expectText(page.getByTestId('bell-panel').locator('h2'), 'Уведомления');
  await expectText(page.getByTestId('bell-read-all'), 'Прочитать все');
  await expectText(page.getByTestId('bell-item').first(), /Вас упомянули/);
  await page.getByTestId('bell-item').first().click();
  await expectPath(page, '/companies/' + co.id);
  await expectText(page.locator('#notes-title'), /^Заметки и упоминания/);
  await expectText(page.getByTestId('notes-pinned'), /^Вас упомянули/i);
  await expectText(page.getByTestId('note-read'), 'Отметить прочитанным');
  assert.equal(await page.getByTestId('note-input').getAttribute('placeholder'), 'Напишите заметку… @ — упомянуть коллегу');
  await expectText(page.getByTestId('note-post'), 'Отправить');
  await page.getByTestId('note-input').press('Control+Enter');
  await expectText(page.getByTestId('note-error'), 'Сначала напишите текст.');
  await page.getByTestId('note-input').fill('@y.nikitina глянь');
  await page.getByTestId('note-input').press('Control+Enter');
  await expectText(page.getByTestId('note-error'), /^@y\.nikitina не может открыть эту запись/);
  await page.getByTestId('note-input').fill('Реквизиты проверены');
  await page.getByTestId('note-input').press('Control+Enter');
  await expectText(timelineNotes(page).first(), /^Заметка: Реквизиты проверены\n/);
  await expectText(page.getByTestId('note').first().getByTestId('note-delete'), 'Удалить');
  await screenshot(page, 'notes-desktop-ru');
  await page.getByTestId('bell-button').click();
  await expectText(page.getByTestId('bell-item').first(), /Вас упомянули/);
  assert.equal(await page.getByTestId('bell-item').first().getAttribute('data-unread'), 'false');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});
