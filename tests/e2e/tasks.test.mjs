// Tasks in the browser: the Tasks block of a record card, the Tasks module's list (tabs by due
// date) and its calendar (day / week / month), on the dealers preset. The server's clock is
// stopped at Wednesday 13 March 2030, 11:00 Moscow time (the company's zone), so "today",
// "overdue" and the week on screen do not depend on when the tests run; the browser itself sits
// in another zone to show that times follow the company's.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath, setCompanyLanguage, clientAs,
  create, screenshot, horizontalOverflow, PHONE, DESKTOP } from './helpers.mjs';

const AGENT = 'i.smirnov';
const LEAD_CREATOR = 'k.lebedeva';
const H = 3600000;
const NOW = Date.UTC(2030, 2, 13, 8, 0);                       // Wed 13 Mar 2030, 11:00 in Moscow
const msk = (d, h, m = 0) => Date.UTC(2030, 2, d, h - 3, m);   // 2030-03-d h:m in Moscow (UTC+3)

let server, browser, agent;

async function setClock(ms) {
  const r = await fetch(server.url + '/api/test/clock', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now_ms: ms }),
  });
  assert.equal(r.status, 200, await r.text());
}

before(async () => {
  server = await startServer({ preset: 'dealers', testClock: true });
  // before anyone signs in: sessions are stamped with the server's clock
  await setClock(NOW);
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  agent = await clientAs(server.url, AGENT);
  agent.user = (await agent.get('/api/me')).json.user;
});
after(async () => {
  await browser?.close();
  await server?.stop();
});
beforeEach(async () => { await setClock(NOW); });

// A page whose browser clock and zone differ from the company's (New York vs Moscow).
async function openElsewhere(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'America/New_York' });
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text()); });
  return page;
}

async function apiTask(body, client = agent) {
  const r = await client.post('/api/tasks', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}
const getTask = async (id) => (await agent.get('/api/tasks/' + id)).json;
const row = (page, scope, title) => page.getByTestId(scope).locator('[data-testid=task-row]', { hasText: title });
const chip = (page, id) => page.locator(`[data-testid=cal-task][data-task="${id}"]`);
const slot = (page, day, hour) => page.locator(`[data-testid=cal-slot][data-day="${day}"][data-hour="${hour}"]`);

// HTML5 drag with real mouse moves, dropped in the upper quarter of the target (":00" of its hour).
async function dragTo(page, source, target) {
  await target.scrollIntoViewIfNeeded();
  const from = await source.boundingBox();
  const to = await target.boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 12, from.y + from.height / 2 + 8, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 4, { steps: 10 });
  await page.mouse.up();
}

test('a task made on a card shows on the card, in Today and in the calendar at its company-zone time; ticked done it leaves them', async () => {
  const co = await create(agent, 'companies', { name: 'Card Tasks LLC', pipeline: 'dealers' });
  const page = await openElsewhere();
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/' + co.id);
  await page.getByTestId('record-tasks-none').waitFor();

  await page.getByTestId('task-new-title').fill('Call about the price list');
  await page.getByTestId('task-new-kind-meeting').click();
  await page.getByTestId('task-new-kind-call').click();
  await page.getByTestId('task-new-preset-evening').click();          // today 18:00 in Moscow
  assert.equal(await page.getByTestId('task-new-day').inputValue(), '2030-03-13');
  assert.equal(await page.getByTestId('task-new-time').inputValue(), '18:00');
  await page.getByTestId('task-new-title').press('Enter');
  const r = row(page, 'record-tasks', 'Call about the price list');
  await expectText(r.getByTestId('task-due'), 'Today, 18:00');
  assert.equal(await r.getAttribute('data-overdue'), 'false');
  await expectText(page.getByTestId('timeline').locator('[data-kind=task]').first(), /Task added: Call about the price list/);

  const list = (await agent.get(`/api/tasks?entity=company&record_id=${co.id}`)).json.items;
  assert.equal(list.length, 1);
  const tk = list[0];
  assert.equal(tk.due_at, msk(13, 18), '18:00 Moscow, whatever the browser\'s zone');
  assert.equal(tk.kind, 'call');
  assert.equal(tk.assignee_id, agent.user.id, 'assignee defaults to me');

  // g t: the Tasks module, list view, Today
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('g');
  await page.keyboard.press('t');
  await expectPath(page, '/tasks');
  await page.getByTestId('tasks-list').waitFor();
  assert.equal(await page.getByTestId('tasks-tab-today').getAttribute('aria-selected'), 'true');
  const inList = row(page, 'tasks-panel', 'Call about the price list');
  await expectText(inList.getByTestId('task-due'), 'Today, 18:00');
  await expectText(inList.getByTestId('task-record'), 'Card Tasks LLC');
  assert.equal(await inList.getByTestId('task-record').getAttribute('href'), '/companies/' + co.id);
  await screenshot(page, 'tasks-list-desktop-en');

  // the calendar's week, on Wednesday at 18:00
  await page.getByTestId('tasks-view-calendar').click();
  await page.getByTestId('tasks-calendar').waitFor();
  assert.equal(await page.getByTestId('tasks-calendar').getAttribute('data-mode'), 'week');
  await expectText(page.getByTestId('cal-title'), /March 11\s*–\s*17, 2030/);
  await expectText(slot(page, '2030-03-13', 18).locator(`[data-task="${tk.id}"]`), /18:00\s*Call about the price list/);
  await screenshot(page, 'tasks-week-desktop-en');

  // tick it off in the list: gone from Today, in Done; gone from the card's open tasks
  await page.getByTestId('tasks-view-list').click();
  await inList.getByTestId('task-check').click();
  await inList.waitFor({ state: 'detached' });
  await page.getByTestId('tasks-empty').waitFor();
  assert.equal((await getTask(tk.id)).done, true);
  await page.getByTestId('tasks-tab-done').click();
  await row(page, 'tasks-panel', 'Call about the price list').waitFor();
  await page.goto(server.url + '/companies/' + co.id);
  await page.getByTestId('record-tasks-none').waitFor();
  await page.getByTestId('record-tasks-done-toggle').click();
  await page.getByTestId('record-tasks-done').locator('[data-testid=task-row]', { hasText: 'Call about the price list' }).waitFor();
  await expectText(page.getByTestId('timeline').locator('[data-kind=task_done]').first(), /Task done: Call about the price list/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('on the card: edit a task (new time, new kind), tick it, delete one; the list is the record\'s own', async () => {
  const co = await create(agent, 'companies', { name: 'Edit Tasks LLC', pipeline: 'dealers' });
  const other = await create(agent, 'companies', { name: 'Elsewhere LLC', pipeline: 'dealers' });
  const a = await apiTask({ title: 'Send the contract', kind: 'email', due_at: msk(14, 12), entity: 'company', record_id: co.id });
  await apiTask({ title: 'Drop it', due_at: msk(14, 13), entity: 'company', record_id: co.id });
  await apiTask({ title: 'Not this record', due_at: msk(14, 9), entity: 'company', record_id: other.id });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/' + co.id);
  await row(page, 'record-tasks', 'Send the contract').waitFor();
  assert.equal(await page.getByTestId('record-tasks').locator('[data-testid=task-row]').count(), 2);

  await row(page, 'record-tasks', 'Send the contract').getByTestId('task-edit').click();
  await page.getByTestId('task-dialog').waitFor();
  await page.getByTestId('task-edit-kind-meeting').click();
  await page.getByTestId('task-edit-time').fill('15:30');
  await page.getByTestId('task-edit-submit').click();
  await expectText(page.getByTestId('task-dialog-due'), 'Tomorrow, 15:30');
  await page.getByTestId('dialog-close').click();
  await expectText(row(page, 'record-tasks', 'Send the contract').getByTestId('task-due'), 'Tomorrow, 15:30');
  const edited = await getTask(a.id);
  assert.equal(edited.due_at, msk(14, 15, 30));
  assert.equal(edited.kind, 'meeting');

  page.once('dialog', (d) => d.accept());
  await row(page, 'record-tasks', 'Drop it').getByTestId('task-delete').click();
  await row(page, 'record-tasks', 'Drop it').waitFor({ state: 'detached' });
  await row(page, 'record-tasks', 'Send the contract').getByTestId('task-check').click();
  await page.getByTestId('record-tasks-none').waitFor();
  assert.equal((await getTask(a.id)).done, true);

  // an empty title is refused in place, nothing is sent
  await page.getByTestId('task-new-title').click();
  await page.getByTestId('task-new-submit').click();
  await expectText(page.getByTestId('task-new-error-title'), 'Write what needs doing.');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('reschedule by dragging in the week view; a stale drag says so and reloads instead of overwriting', async () => {
  const tk = await apiTask({ title: 'Drag me', kind: 'visit', due_at: msk(14, 10) });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/tasks/calendar?mode=week');
  await chip(page, tk.id).waitFor();
  assert.equal(await slot(page, '2030-03-14', 10).locator(`[data-task="${tk.id}"]`).count(), 1);

  await dragTo(page, chip(page, tk.id), slot(page, '2030-03-15', 16));
  await slot(page, '2030-03-15', 16).locator(`[data-task="${tk.id}"]`).waitFor();
  await expectText(page.getByTestId('cal-live'), /Drag me.* moved to Fri Mar 15, 16:00/);
  for (let i = 0; i < 50 && (await getTask(tk.id)).due_at !== msk(15, 16); i++) await page.waitForTimeout(50);
  const moved = await getTask(tk.id);
  assert.equal(moved.due_at, msk(15, 16), 'Friday 16:00 Moscow');
  assert.equal(moved.version, 2);

  // someone else renames it meanwhile: the next drag carries an old version
  const r = await agent.patch('/api/tasks/' + tk.id, { version: moved.version, title: 'Drag me (renamed)' });
  assert.equal(r.status, 200, r.text);
  await dragTo(page, chip(page, tk.id), slot(page, '2030-03-11', 9));
  await expectText(page.getByTestId('cal-message'), /Someone changed this task meanwhile, so it was not moved/);
  await expectText(slot(page, '2030-03-15', 16).locator(`[data-task="${tk.id}"]`), /Drag me \(renamed\)/);
  assert.equal(await slot(page, '2030-03-11', 9).locator(`[data-task="${tk.id}"]`).count(), 0);
  assert.equal((await getTask(tk.id)).due_at, msk(15, 16), 'nothing was overwritten');

  // after the reload the drag goes through
  await dragTo(page, chip(page, tk.id), slot(page, '2030-03-11', 9));
  await slot(page, '2030-03-11', 9).locator(`[data-task="${tk.id}"]`).waitFor();
  for (let i = 0; i < 50 && (await getTask(tk.id)).due_at !== msk(11, 9); i++) await page.waitForTimeout(50);
  assert.equal((await getTask(tk.id)).due_at, msk(11, 9));

  // click it: the dialog ticks it off; the calendar keeps it, struck through
  await chip(page, tk.id).click();
  await page.getByTestId('task-dialog-done').click();
  await expectText(page.getByTestId('task-dialog-status'), 'Done');
  await page.getByTestId('dialog-close').click();
  await page.waitForFunction((id) => document.querySelector(`[data-task="${id}"]`)?.classList.contains('done'), tk.id);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('calendar: keys move and switch modes, "+N more" opens the day, an empty slot makes a task at its time', async () => {
  for (const h of [9, 10, 11, 12]) await apiTask({ title: 'Saturday ' + h, kind: 'call', due_at: msk(16, h) });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/tasks/calendar?mode=week');
  const cal = page.getByTestId('tasks-calendar');
  await cal.waitFor();
  await page.keyboard.press('m');
  await expectText(page.getByTestId('cal-title'), 'March 2030');
  const sat = page.locator('[data-testid=cal-day][data-day="2030-03-16"]');
  await expectText(sat.getByTestId('cal-more'), '+2 more');
  assert.equal(await sat.locator('[data-testid=cal-task]').count(), 2, 'two shown, the rest behind "+N more"');
  await page.keyboard.press('j');
  await expectText(page.getByTestId('cal-title'), 'April 2030');
  await page.keyboard.press('t');
  await expectText(page.getByTestId('cal-title'), 'March 2030');
  await sat.getByTestId('cal-more').click();
  assert.equal(await cal.getAttribute('data-mode'), 'day');
  await expectText(page.getByTestId('cal-title'), 'Saturday, March 16, 2030');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=cal-task]').length === 4);
  await page.keyboard.press('k');
  await expectText(page.getByTestId('cal-title'), 'Friday, March 15, 2030');
  await page.keyboard.press('ArrowRight');
  await expectText(page.getByTestId('cal-title'), 'Saturday, March 16, 2030');
  await page.keyboard.press('w');
  await expectText(page.getByTestId('cal-title'), /March 11\s*–\s*17, 2030/);
  await page.keyboard.press('d');
  await expectText(page.getByTestId('cal-title'), 'Saturday, March 16, 2030');
  await page.getByTestId('cal-today').click();
  await expectText(page.getByTestId('cal-title'), 'Wednesday, March 13, 2030');
  await page.getByTestId('cal-mode-week').click();

  // an empty slot, upper half: a new task at that hour
  const target = slot(page, '2030-03-17', 14);
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + 6);
  await page.getByTestId('task-new-dialog').waitFor();
  assert.equal(await page.getByTestId('task-create-day').inputValue(), '2030-03-17');
  assert.equal(await page.getByTestId('task-create-time').inputValue(), '14:00');
  await page.getByTestId('task-create-title').fill('Sunday call');
  await page.getByTestId('task-create-submit').click();
  await page.getByTestId('task-new-dialog').waitFor({ state: 'detached' });
  await target.locator('[data-testid=cal-task]', { hasText: 'Sunday call' }).waitFor();
  const made = (await agent.get(`/api/tasks?due.from=${msk(17, 14)}&due.to=${msk(17, 14)}`)).json.items;
  assert.deepEqual(made.map((x) => x.title), ['Sunday call']);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('overdue follows the server clock: red on the card, in the Overdue tab and in the calendar', async () => {
  const co = await create(agent, 'companies', { name: 'Overdue LLC', pipeline: 'dealers' });
  const tk = await apiTask({ title: 'Call before noon', kind: 'call', due_at: NOW + 30 * 60000, entity: 'company', record_id: co.id });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/' + co.id);
  const r = row(page, 'record-tasks', 'Call before noon');
  await expectText(r.getByTestId('task-due'), 'Today, 11:30');
  assert.equal(await r.getAttribute('data-overdue'), 'false');
  assert.equal(await r.getByTestId('task-overdue').count(), 0);

  await setClock(NOW + H);                                  // 12:00: half an hour late
  await page.reload();
  await expectText(r.getByTestId('task-overdue'), 'Overdue');
  assert.equal(await r.getAttribute('data-overdue'), 'true');
  const color = await r.getByTestId('task-due').evaluate((el) => getComputedStyle(el).color);
  assert.equal(color, 'rgb(200, 50, 42)', 'the due time is red');
  await screenshot(page, 'tasks-card-overdue-desktop-en');

  await page.goto(server.url + '/tasks');
  await page.getByTestId('tasks-list').waitFor();
  await expectText(page.getByTestId('tasks-tab-overdue').getByTestId('tab-count'), /^[1-9]\d*$/);
  await page.getByTestId('tasks-tab-overdue').click();
  await row(page, 'tasks-panel', 'Call before noon').waitFor();
  assert.equal(await row(page, 'tasks-panel', 'Call before noon').getAttribute('data-overdue'), 'true');
  await page.getByTestId('tasks-tab-today').click();
  assert.equal(await row(page, 'tasks-panel', 'Call before noon').count(), 0, 'an overdue task is not also under Today');

  await page.goto(server.url + '/tasks/calendar?mode=day');
  await chip(page, tk.id).waitFor();
  assert.equal(await chip(page, tk.id).getAttribute('data-overdue'), 'true');
  assert.match(await chip(page, tk.id).getAttribute('class'), /\boverdue\b/);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('the Tasks module is for the roles that have tasks; administrators pick whose tasks they see', async () => {
  const tk = await apiTask({ title: 'Agent only task', due_at: msk(13, 16) });
  const creator = await clientAs(server.url, LEAD_CREATOR);
  const lead = await create(creator, 'companies', { name: 'Lead Without Tasks LLC', pipeline: 'dealers' });
  const lp = await openPage(browser);
  await signIn(lp, server.url, LEAD_CREATOR);
  await lp.getByTestId('nav-leads').waitFor();
  assert.equal(await lp.getByTestId('nav-tasks').count(), 0, 'a lead creator has no Tasks module');
  await lp.goto(server.url + '/tasks');
  await lp.getByTestId('no-access').waitFor();
  await lp.goto(server.url + '/companies/' + lead.id);
  await lp.getByTestId('timeline').waitFor();
  assert.equal(await lp.getByTestId('record-tasks').count(), 0, 'nor a Tasks block on the lead\'s card');
  await closePage(lp);

  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await expectText(page.getByTestId('nav-tasks'), 'Tasks');
  await page.getByTestId('nav-tasks').click();
  await page.getByTestId('tasks-list').waitFor();
  const agentOptions = await page.getByTestId('tasks-assignee').locator('option').allInnerTexts();
  assert.deepEqual(agentOptions, ['My tasks', 'Mine and those I set'], 'an agent does not pick colleagues');
  await closePage(page);

  const admin = await openPage(browser);
  await signIn(admin, server.url, 'admin');
  await admin.getByTestId('nav-tasks').click();
  await admin.getByTestId('tasks-list').waitFor();
  assert.equal(await row(admin, 'tasks-panel', 'Agent only task').count(), 0, 'mine by default');
  await admin.getByTestId('tasks-assignee').selectOption(String(agent.user.id));
  await row(admin, 'tasks-panel', 'Agent only task').waitFor();
  await expectText(row(admin, 'tasks-panel', 'Agent only task').locator('.task-assignee'), /Смирнов/);
  await admin.getByTestId('tasks-assignee').selectOption('any');
  // the row was already on screen for the agent's own list: wait for the choice to reach the URL
  await admin.waitForURL(/assignee=any/, { timeout: 10000 });
  await row(admin, 'tasks-panel', 'Agent only task').waitFor();
  await admin.getByTestId('tasks-view-calendar').click();
  await chip(admin, tk.id).waitFor();
  assert.deepEqual(admin.errors, []);
  await closePage(admin);
});

test('on a phone: the calendar opens on the day, the list fits the screen', async () => {
  await apiTask({ title: 'Phone task', kind: 'meeting', due_at: msk(13, 15) });
  const page = await openPage(browser, { viewport: PHONE });
  await signIn(page, server.url, AGENT);
  await page.evaluate(() => { localStorage.removeItem('voronka.taskcalmode'); localStorage.removeItem('voronka.taskview'); });
  await page.goto(server.url + '/tasks');
  await page.getByTestId('tasks-list').waitFor();
  await row(page, 'tasks-panel', 'Phone task').waitFor();
  assert.equal(await horizontalOverflow(page), 0, 'the list does not scroll sideways');
  await screenshot(page, 'tasks-list-phone-en');
  await page.getByTestId('tasks-view-calendar').click();
  await page.getByTestId('tasks-calendar').waitFor();
  assert.equal(await page.getByTestId('tasks-calendar').getAttribute('data-mode'), 'day');
  await expectText(page.getByTestId('cal-title'), 'Wednesday, March 13, 2030');
  await page.locator('[data-testid=cal-task]', { hasText: 'Phone task' }).waitFor();
  assert.equal(await horizontalOverflow(page), 0, 'the day view does not scroll sideways');
  await screenshot(page, 'tasks-day-phone-en');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('in Russian: the card block, the tabs, the calendar and the dates', async () => {
  await setCompanyLanguage(server.url, 'ru');
  try {
    const co = await create(agent, 'companies', { name: 'ООО «Задачи»', pipeline: 'dealers' });
    await apiTask({ title: 'Позвонить', kind: 'call', due_at: msk(14, 10), entity: 'company', record_id: co.id });
    const page = await openPage(browser, { locale: 'ru-RU' });
    await signIn(page, server.url, AGENT);
    await expectText(page.getByTestId('nav-tasks'), 'Задачи');
    await page.goto(server.url + '/companies/' + co.id);
    await expectText(page.getByTestId('record-tasks').locator('h2'), /^Задачи/);
    await expectText(row(page, 'record-tasks', 'Позвонить').getByTestId('task-due'), 'Завтра, 10:00');
    assert.equal(await page.getByTestId('task-new-title').getAttribute('placeholder'), 'Добавить задачу…');
    await page.getByTestId('task-new-title').click();
    await expectText(page.getByTestId('task-new-preset-tomorrow'), 'Завтра в 10:00');
    await expectText(page.getByTestId('task-new-kind-call'), 'Звонок');

    await page.goto(server.url + '/tasks/list');
    for (const [k, label] of [['overdue', 'Просроченные'], ['today', 'Сегодня'], ['tomorrow', 'Завтра'], ['week', 'На этой неделе'],
      ['later', 'Позже'], ['done', 'Выполненные']]) await expectText(page.getByTestId('tasks-tab-' + k), new RegExp('^' + label));
    await page.getByTestId('tasks-view-calendar').click();
    await page.getByTestId('cal-mode-month').click();
    await expectText(page.getByTestId('cal-title'), 'Март 2030 г.');
    await expectText(page.getByTestId('cal-mode-day'), 'День');
    await expectText(page.getByTestId('cal-mode-week'), 'Неделя');
    await expectText(page.getByTestId('cal-today'), 'Сегодня');
    await screenshot(page, 'tasks-month-desktop-ru');
    assert.deepEqual(page.errors, []);
    await closePage(page);
  } finally {
    await setCompanyLanguage(server.url, 'en');
  }
});
