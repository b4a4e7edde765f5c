// Import, export, merge, bulk reassignment and custom fields in the list and create screens,
// driven in the browser against the dealers preset.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath, setCompanyLanguage, adminClient,
  clientAs, create, horizontalOverflow, PHONE } from './helpers.mjs';

let server, browser, admin;
const tmp = mkdtempSync(join(tmpdir(), 'voronka-datatools-'));
before(async () => {
  server = await startServer({ preset: 'dealers' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  admin = await adminClient(server.url);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const userId = async (login) => (await admin.get('/api/users?q=' + login)).json.items.find((u) => u.login === login).id;
const listNames = (page) => page.locator('[data-testid=list-table] tbody a.row-link').allInnerTexts();
// wait until the list shows exactly these names (in any order)
const waitNames = (page, names) => page.waitForFunction((want) => [...document.querySelectorAll('[data-testid=list-table] tbody a.row-link')]
  .map((a) => a.textContent).sort().join('|') === want, names.slice().sort().join('|'));
async function companies(query) {
  const r = await admin.get('/api/companies?limit=200&' + query);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

// Windows-1251, as a Russian Excel writes "CSV": Cyrillic letters are one byte each.
function cp1251(text) {
  const out = [];
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (c < 0x80) out.push(c);
    else if (c >= 0x410 && c <= 0x44f) out.push(c - 0x410 + 0xc0);
    else if (c === 0x401) out.push(0xa8);
    else if (c === 0x451) out.push(0xb8);
    else if (c === 0xab) out.push(0xab);
    else if (c === 0xbb) out.push(0xbb);
    else throw new Error('no cp1251 byte for ' + ch);
  }
  return Uint8Array.from(out);
}

test('import: change the mapping, a dry run shows the bad rows, the import shows progress and the rows land in the list', async () => {
  const file = join(tmp, 'dealers.csv');
  writeFileSync(file, [
    'Название;Телефон;Город;Откуда',
    'ООО «Импорт Один»;8 (916) 500-00-01;Импортград;выставка',
    'ООО «Импорт Два»;не телефон;Импортград;сайт',
    ';;;',
    'ООО «Импорт Три»;+7 916 500 00 03;Импортград;',
  ].join('\r\n') + '\r\n');
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/companies/list');
  await page.getByTestId('list-import').click();
  await expectPath(page, '/companies/import');
  await page.getByTestId('import-file').setInputFiles(file);
  await page.getByTestId('import-mapping').waitFor();
  await expectText(page.getByTestId('import-detected'), 'Read as: delimiter ";", encoding UTF-8.');
  // the server suggested name, phones, city; "Откуда" it did not know: map it to the source
  assert.equal(await page.getByTestId('map-0').inputValue(), 'name');
  assert.equal(await page.getByTestId('map-1').inputValue(), 'phones');
  assert.equal(await page.getByTestId('map-3').inputValue(), '');
  await page.getByTestId('map-3').selectOption('source');
  // a default for empty cells: the pipeline and, where the file has no source, "ярмарка"
  await page.getByTestId('default-pipeline').selectOption('dealers');
  await page.getByTestId('default-source').fill('ярмарка');
  const preview = page.getByTestId('import-preview');
  await expectText(preview.locator('thead'), /SOURCE/i);
  await expectText(preview.locator('tbody tr').nth(3), /ООО «Импорт Три».*ярмарка/s);

  await page.getByTestId('import-dry').click();
  await page.getByTestId('dry-report').waitFor();
  await expectText(page.getByTestId('report-created'), /^2 would be created/);
  await expectText(page.getByTestId('report-failed'), /^1 rows with errors/);
  await expectText(page.getByTestId('report-skipped'), /^1 empty rows skipped/);
  await expectText(page.getByTestId('import-errors').locator('tbody tr'), /^3\s+Phones\s+"не телефон" is not a phone number$/);
  assert.equal((await companies('city=Импортград')).length, 0, 'a dry run writes nothing');
  // the errors as a CSV file
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-errors-csv').click()]);
  const errorsCsv = readFileSync(await download.path(), 'utf8');
  assert.match(errorsCsv, /^\ufeffrow,field,message\r\n3,"Phones","""не телефон"" is not a phone number"\r\n$/);

  await page.getByTestId('import-run').click();
  await page.locator('[data-testid=import-progress][data-status=done]').waitFor();
  await expectText(page.getByTestId('import-progress-text'), /^4 of 4 rows/);
  assert.equal(await page.locator('[role=progressbar]').getAttribute('aria-valuenow'), '4');
  await expectText(page.getByTestId('report-created'), /^2 created/);
  const made = await companies('city=Импортград&sort=name');
  assert.deepEqual(made.map((c) => [c.name, c.source, c.pipeline, c.stage, c.phones]), [
    ['ООО «Импорт Один»', 'выставка', 'dealers', 'lead', ['+79165000001']],
    ['ООО «Импорт Три»', 'ярмарка', 'dealers', 'lead', ['+79165000003']],
  ]);
  await page.getByTestId('import-open-list').click();
  await page.getByTestId('filter-city').fill('Импортград');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=list-table] tbody tr').length === 2);
  assert.deepEqual((await listNames(page)).sort(), ['ООО «Импорт Один»', 'ООО «Импорт Три»']);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('import: a Windows-1251 file with a comma, big enough to go in two chunks', async () => {
  const rows = ['Компания,Город,Телефон'];
  // every row its own number: the server refuses a second company with a known phone
  for (let i = 0; i < 7000; i++) {
    const d = String(i).padStart(7, '0');
    rows.push(`Кабельный склад ${i} «Ёлка»,Чанкоград,+7 917 ${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}  ` + ' '.repeat(40));
  }
  const bytes = cp1251(rows.join('\r\n') + '\r\n');
  assert.ok(bytes.length > 512 * 1024, 'more than one chunk: ' + bytes.length);
  const file = join(tmp, 'cp1251.csv');
  writeFileSync(file, bytes);
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/companies/import');
  await page.getByTestId('import-file').setInputFiles(file);
  await expectText(page.getByTestId('import-detected'), 'Read as: delimiter ",", encoding Windows-1251.');
  assert.equal(await page.getByTestId('map-0').inputValue(), 'name');
  await page.getByTestId('import-run').click();
  await page.locator('[data-testid=import-progress][data-status=done]').waitFor({ timeout: 60000 });
  await expectText(page.getByTestId('import-progress-text'), /^7000 of 7000 rows · \d+ rows\/s/);
  await expectText(page.getByTestId('report-created'), /^7000 created/);
  const r = await admin.get('/api/companies?city=' + encodeURIComponent('Чанкоград') + '&count=true&limit=1&sort=name');
  assert.equal(r.json.total, 7000);
  assert.equal(r.json.items[0].name, 'Кабельный склад 0 «Ёлка»');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

// Sign in, open an import page, pick the file and start a dry run.
async function startDryRun(page, path, file) {
  await signIn(page, server.url);
  await page.goto(server.url + path);
  await page.getByTestId('import-file').setInputFiles(file);
  await page.getByTestId('import-mapping').waitFor();
  await page.getByTestId('import-dry').click();
}

test('import: a dry run of a file in two chunks finds a number the second chunk repeats from the first', async () => {
  const rows = ['ФИО,Телефон,Заметка'];
  for (let i = 0; i < 6000; i++) {
    const d = String(i).padStart(7, '0');
    rows.push(`Двойник ${i},+7 918 ${d.slice(0, 3)}-${d.slice(3)},${'·'.repeat(30)}`);
  }
  rows.push('Двойник последний,8 918 000-0000,'); // row 6002 repeats row 2's number
  const text = rows.join('\r\n') + '\r\n';
  assert.ok(Buffer.byteLength(text) > 512 * 1024, 'more than one chunk: ' + Buffer.byteLength(text));
  const file = join(tmp, 'twins.csv');
  writeFileSync(file, text);
  const page = await openPage(browser);
  try {
    await startDryRun(page, '/contacts/import', file);
    await page.locator('[data-testid=import-progress][data-status=done]').waitFor({ timeout: 60000 });
    await expectText(page.getByTestId('report-created'), /^6000 would be created/);
    await expectText(page.getByTestId('import-errors').locator('tbody tr'), /^6002\s+Phones\s+Row 2 of this file has this phone number already$/);
    assert.equal((await admin.get('/api/contacts?q=' + encodeURIComponent('Двойник') + '&limit=1')).json.items.length, 0, 'a dry run writes nothing');
    // the import refuses the same row, naming the record the first row became
    await page.getByTestId('import-run').click();
    await page.locator('[data-testid=import-progress][data-status=done]').waitFor({ timeout: 60000 });
    await expectText(page.getByTestId('report-created'), /^6000 created/);
    await expectText(page.getByTestId('import-errors').locator('tbody tr'), /^6002\s+Phones\s+"Двойник 0" has this phone number already$/);
    assert.deepEqual(page.errors, []);
  } finally {
    await closePage(page);
  }
});

test('import: "Stop" ends the import between chunks; what was sent stays, the rest is not imported', async () => {
  const rows = ['Название,Город'];
  for (let i = 0; i < 9000; i++) rows.push(`Стоп-компания ${i},Стопград` + ' '.repeat(50));
  const file = join(tmp, 'stop.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/companies/import');
  await page.getByTestId('import-file').setInputFiles(file);
  await page.getByTestId('import-mapping').waitFor();
  // hold the first chunk until Stop was pressed, so the stop falls between chunks for sure
  let release, held = 0;
  const stopped = new Promise((r) => { release = r; });
  await page.route((u) => u.pathname === '/api/companies/import', async (route) => { held++; if (held === 1) await stopped; await route.continue(); });
  await page.getByTestId('import-run').click();
  await page.getByTestId('import-cancel').click();
  release();
  await page.locator('[data-testid=import-progress][data-status=cancelled]').waitFor();
  const first = (await admin.get('/api/companies?city=' + encodeURIComponent('Стопград') + '&count=true&limit=1')).json.total;
  assert.ok(first > 0 && first < 9000, 'one chunk imported: ' + first);
  await expectText(page.getByTestId('import-report'), new RegExp(`Stopped after ${first} of 9000 rows; the rest was not imported\\.`));
  await expectText(page.getByTestId('report-created'), new RegExp(`^${first} created`));
  assert.equal(held, 1, 'no chunk was sent after the stop');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('export: CSV of exactly the filtered, sorted list; XLSX too; none for a role without export', async () => {
  const agent = await clientAs(server.url, 'i.smirnov');
  for (const [name, city] of [['Экспорт Б', 'Экспортоград'], ['Экспорт А', 'Экспортоград'], ['Экспорт В', 'Другоград']])
    await create(agent, 'companies', { name, city, pipeline: 'dealers' });
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/companies/list?city=Экспортоград&sort=name');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=list-table] tbody tr').length === 2);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  assert.match(csv.suggestedFilename(), /^companies-\d{4}-\d\d-\d\d\.csv$/);
  const lines = readFileSync(await csv.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
  const head = lines[0].split(',');
  const nameAt = head.indexOf('name'), cityAt = head.indexOf('city');
  assert.ok(nameAt >= 0 && cityAt >= 0, lines[0]);
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')).map((c) => [c[nameAt], c[cityAt]]),
    [['Экспорт А', 'Экспортоград'], ['Экспорт Б', 'Экспортоград']]);
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]);
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK');

  // a refused export (here: Excel's row limit, which takes a million rows to reach for real)
  // is a message on screen, not an error saved as a file
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.route('**/api/companies/export?**', (route) => route.fulfill({
    status: 422, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'too_many_rows', message: 'more than 1048575 rows do not fit in an Excel sheet; export CSV or narrow the filter' } }),
  }));
  await page.getByTestId('export-xlsx').click();
  await page.getByText('do not fit in an Excel sheet').waitFor();
  assert.equal(downloads, 0);
  await closePage(page);

  // dealers agents have export scope none: no buttons
  const page2 = await openPage(browser);
  await signIn(page2, server.url, 'i.smirnov');
  await page2.goto(server.url + '/companies/list');
  await page2.getByTestId('list-table').waitFor();
  assert.equal(await page2.getByTestId('export-csv').count(), 0);
  assert.equal(await page2.getByTestId('select-page').count(), 0, 'no bulk selection with an own edit scope');
  await closePage(page2);
});

test('merge: two near-duplicate companies, the city taken from the second; the card shows the merge', async () => {
  const a = await create(admin, 'companies', { name: 'ООО «Светотехника-Север»', city: 'Мурманск', phones: ['+7 815 200-10-10'], pipeline: 'dealers', inn: '5190000001' });
  const b = await create(admin, 'companies', { name: 'Светотехника Север', city: 'Североморск', phones: ['8 815 200 10 10', '+7 815 200-10-11'], emails: ['sever@svet.ru'], pipeline: 'dealers',
    allow_duplicate: true });   // the duplicate the merge is for: saved on purpose
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/companies/' + a.id);
  await page.getByTestId('record-merge').click();
  await expectPath(page, '/companies/merge');
  // the second one is offered as a likely duplicate (same phone, similar name)
  await page.getByTestId('merge-dup-' + b.id).click();
  await page.getByTestId('merge-table').waitFor();
  assert.equal(await page.getByTestId('merge-keep-city').isChecked(), true);
  await page.getByTestId('merge-merge-city').check();
  await expectText(page.getByTestId('merge-row-phones'), /\+7 815 200-10-10, \+7 815 200-10-11/);
  await expectText(page.getByTestId('merge-warning'), /Светотехника Север will be deleted/);
  await page.getByTestId('merge-submit').click();
  await expectPath(page, '/companies/' + a.id);
  await expectText(page.getByTestId('page-title'), 'ООО «Светотехника-Север»');
  await expectText(page.getByTestId('value-city'), 'Североморск');
  await page.locator('[data-testid=timeline-item][data-kind=merge]').first().waitFor();
  await expectText(page.locator('[data-testid=timeline-item][data-kind=merge]').first(), /Merged in: Светотехника Север #\d+/);
  const kept = (await admin.get('/api/companies/' + a.id)).json;
  assert.deepEqual([kept.city, kept.inn, kept.phones, kept.emails], ['Североморск', '5190000001', ['+78152001010', '+78152001011'], ['sever@svet.ru']]);
  assert.equal((await admin.get('/api/companies/' + b.id)).status, 404);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('bulk reassign: three companies picked with a shift-click; then all matching the filter; and a deactivated user handed over', async () => {
  const agent = await clientAs(server.url, 'y.nikitina');
  const made = [];
  for (const n of ['Раз', 'Два', 'Три', 'Четыре']) made.push(await create(agent, 'companies', { name: 'Балк ' + n, city: 'Балкоград', pipeline: 'dealers' }));
  const tarasov = await userId('a.tarasov');
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/companies/list?city=Балкоград&sort=name');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=list-table] tbody tr').length === 4);
  // sorted by name: Два, Раз, Три, Четыре; click the first, shift-click the third
  const rows = page.locator('[data-testid=list-table] tbody tr');
  await rows.nth(0).locator('.col-select input').click();
  await rows.nth(2).locator('.col-select input').click({ modifiers: ['Shift'] });
  await expectText(page.getByTestId('bulk-count'), '3 selected');
  await page.getByTestId('bulk-reassign').click();
  await page.getByTestId('reassign-submit').click();
  await page.getByTestId('reassign-error').waitFor();     // nobody chosen yet
  await page.getByTestId('reassign-to').selectOption(String(tarasov));
  await page.getByTestId('reassign-submit').click();
  await expectText(page.getByTestId('bulk-result'), '3 records reassigned.');
  assert.equal(await page.getByTestId('bulk-bar').count(), 0);
  const after1 = await companies('city=Балкоград&sort=name');
  assert.deepEqual(after1.map((c) => [c.name, c.owner_id === tarasov]),
    [['Балк Два', true], ['Балк Раз', true], ['Балк Три', true], ['Балк Четыре', false]]);
  const ev = await admin.get(`/api/timeline?entity=company&id=${made[0].id}`);
  assert.ok(ev.json.items.some((e) => e.field === 'owner_id' && e.reason === 'reassigned'));

  // a record that vanished meanwhile: the API refuses the whole request, the dialog says so, nothing moves
  await page.goto(server.url + '/companies/list?city=Балкоград&sort=name');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=list-table] tbody tr').length === 4);
  await page.getByTestId('select-page').check();
  assert.equal((await admin.del('/api/companies/' + made[3].id)).status, 204);
  await page.getByTestId('bulk-reassign').click();
  await page.getByTestId('reassign-to').selectOption(String(await userId('i.smirnov')));
  await page.getByTestId('reassign-submit').click();
  await page.getByTestId('reassign-error').waitFor();
  const left = await companies('city=Балкоград');
  assert.deepEqual(left.map((c) => c.owner_id === tarasov), [true, true, true], 'nothing moved to Smirnov');
  await page.getByTestId('dialog-close').click();
  await page.getByTestId('bulk-clear').click();

  // more than a page: 52 companies in one city, "select all 52 matching", to Smirnov
  const romanov = await clientAs(server.url, 'p.romanov');
  for (let i = 0; i < 52; i++) await create(romanov, 'companies', { name: 'Много ' + i, city: 'Многоград', pipeline: 'dealers' });
  const smirnov = await userId('i.smirnov');
  await page.goto(server.url + '/companies/list?city=Многоград');
  await expectText(page.getByTestId('list-total'), '52 companies');
  await page.getByTestId('select-page').check();
  await expectText(page.getByTestId('bulk-count'), '50 selected');
  await page.getByTestId('bulk-select-all').click();
  await expectText(page.getByTestId('bulk-count'), '52 selected');
  await page.getByTestId('bulk-reassign').click();
  await page.getByTestId('reassign-to').selectOption(String(smirnov));
  await page.getByTestId('reassign-submit').click();
  await expectText(page.getByTestId('bulk-result'), '52 records reassigned.');
  assert.ok((await companies('city=Многоград')).every((c) => c.owner_id === smirnov));

  // the users page: deactivate Kiseleva and give everything she owns to Tarasov
  const kiseleva = await userId('o.kiseleva');
  const owned = (await admin.get(`/api/companies?owner=${kiseleva}&count=true&limit=1`)).json.total;
  assert.ok(owned > 0);
  assert.equal((await admin.patch('/api/users/' + kiseleva, { active: false })).status, 200);
  await page.goto(server.url + '/users');
  await page.getByTestId('user-handover-o.kiseleva').click();
  await page.getByTestId('handover-to').selectOption(String(tarasov));
  await page.getByTestId('handover-submit').click();
  await expectText(page.getByTestId('toast'), /^\d+ records of Киселёва Оксана Дмитриевна handed over\.$/);
  assert.equal((await admin.get(`/api/companies?owner=${kiseleva}&count=true&limit=1`)).json.total, 0);
  assert.equal((await admin.get(`/api/contacts?owner=${kiseleva}&count=true&limit=1`)).json.total, 0);
  assert.equal(await page.getByTestId('user-handover-a.tarasov').count(), 0, 'only for deactivated users');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('custom fields: typed inputs in the create form with the required one enforced, a formatted column, filters', async () => {
  for (const f of [
    { entity: 'company', key: 'volume', label: 'Annual volume', type: 'money' },
    { entity: 'company', key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'], required: true },
    { entity: 'company', key: 'vip', label: 'VIP', type: 'bool' },
  ]) assert.equal((await admin.post('/api/fields', f)).status, 201);
  const agent = await clientAs(server.url, 'p.romanov');
  await create(agent, 'companies', { name: 'Поле Серебро', city: 'Полеград', custom: { tier: 'silver', volume: 50000000 } });
  await create(agent, 'companies', { name: 'Поле Пусто', city: 'Полеград', custom: { tier: 'silver' } });
  const page = await openPage(browser);
  await signIn(page, server.url, 'p.romanov');
  await page.goto(server.url + '/companies/new');
  await page.getByTestId('new-name').fill('Поле Золото');
  await page.getByTestId('new-city').fill('Полеград');
  await page.getByTestId('new-custom-volume').fill('1 250 000,50');
  await page.getByTestId('new-custom-vip').check();
  await page.getByTestId('create-submit').click();
  await expectText(page.getByTestId('error-custom-tier'), 'Fill in “Tier”.');
  assert.equal(await page.getByTestId('new-custom-tier').evaluate((el) => el === document.activeElement), true);
  await page.getByTestId('new-custom-tier').selectOption('gold');
  await page.getByTestId('create-submit').click();
  await page.getByTestId('record-page').waitFor();
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  assert.deepEqual((await admin.get('/api/companies/' + id)).json.custom, { tier: 'gold', vip: true, volume: 125000050 });

  // columns: money formatted, a tick for yes
  await page.goto(server.url + '/companies/list?city=Полеград&sort=name');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=list-table] tbody tr').length === 3);
  await page.getByTestId('columns-button').click();
  await page.getByTestId('column-toggle-custom.volume').check();
  await page.getByTestId('column-toggle-custom.vip').check();
  await page.keyboard.press('Escape');
  const row = page.getByTestId('row-' + id);
  await expectText(row.locator('td.col-custom\\.volume'), /^₽1,250,000\.50$/);
  await expectText(row.locator('td.col-custom\\.vip'), '✓');
  // sort by the custom column
  await page.getByTestId('sort-custom.volume').click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=list-table] tbody a.row-link')].map((a) => a.textContent).join() === 'Поле Золото,Поле Серебро,Поле Пусто');

  // filters: a choice, then a money range
  await page.getByTestId('custom-filters-button').click();
  await page.getByTestId('cf-tier').selectOption('silver');
  await page.getByTestId('custom-filters-apply').click();
  await waitNames(page, ['Поле Пусто', 'Поле Серебро']);
  assert.equal(new URL(page.url()).searchParams.get('custom.tier'), 'silver');
  await page.getByTestId('custom-filters-button').click();
  await page.getByTestId('cf-tier').selectOption('');
  await page.getByTestId('cf-volume-from').fill('400000');
  await page.getByTestId('custom-filters-apply').click();
  await waitNames(page, ['Поле Золото', 'Поле Серебро']);
  assert.equal(new URL(page.url()).searchParams.get('custom.volume.from'), '40000000');
  await expectText(page.getByTestId('chip-custom.volume.from'), /Annual volume ≥ ₽400,000/);
  // the filter survives a reload and is removed by its chip
  await page.reload();
  await waitNames(page, ['Поле Золото', 'Поле Серебро']);
  await page.getByTestId('chip-custom.volume.from').locator('button').click();
  await waitNames(page, ['Поле Золото', 'Поле Пусто', 'Поле Серебро']);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('phone: the import, list selection and merge screens fit a narrow screen', async () => {
  const page = await openPage(browser, { viewport: PHONE });
  await signIn(page, server.url);
  await page.goto(server.url + '/companies/list?city=Балкоград');
  await page.getByTestId('select-page-phone').check();
  await expectText(page.getByTestId('bulk-count'), '3 selected');
  assert.ok(await horizontalOverflow(page) <= 0, 'list: no sideways scroll');
  await page.goto(server.url + '/companies/import');
  await page.getByTestId('import-file').setInputFiles(join(tmp, 'dealers.csv'));
  await page.getByTestId('import-mapping').waitFor();
  assert.ok(await horizontalOverflow(page) <= 0, 'import: no sideways scroll');
  const [x, y] = await companies('city=Балкоград');
  await page.goto(server.url + `/companies/merge?keep=${x.id}&merge=${y.id}`);
  await page.getByTestId('merge-table').waitFor();
  assert.ok(await horizontalOverflow(page) <= 0, 'merge: no sideways scroll');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('import: per-row errors read in Russian in the Russian UI, the duplicate naming the record that has the number', async () => {
  const owner = await create(admin, 'contacts', { name: 'Занятов Номер', phones: ['+79165000077'] });
  const file = join(tmp, 'errors-ru.csv');
  writeFileSync(file, [
    'ФИО;Телефон;E-mail',
    'Плохой Номер;не телефон;',
    'Тот Же Номер;8 916 500-00-77;',
    'Плохая Почта;;нет-почты',
  ].join('\r\n') + '\r\n');
  await setCompanyLanguage(server.url, 'ru');
  const page = await openPage(browser, { locale: 'ru-RU' });
  try {
    await startDryRun(page, '/contacts/import', file);
    await page.getByTestId('dry-report').waitFor();
    const rows = page.getByTestId('import-errors').locator('tbody tr');
    await expectText(rows.nth(0), /^2\s+Телефоны\s+«не телефон» — не номер телефона$/);
    await expectText(rows.nth(1), new RegExp(`^3\\s+Телефоны\\s+Этот номер уже есть у «${owner.name}»$`));
    await expectText(rows.nth(2), /^4\s+E-mail\s+«нет-почты» — не адрес e-mail$/);
    // the downloaded list of errors says the same
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-errors-csv').click()]);
    const errorsCsv = readFileSync(await download.path(), 'utf8');
    assert.match(errorsCsv, /\r\n2,"Телефоны","«не телефон» — не номер телефона"\r\n/);
    assert.deepEqual(page.errors, []);
  } finally {
    await closePage(page);
    await setCompanyLanguage(server.url, 'en');
  }
});
