// Import, export and merge of contacts and companies (dealers preset; eshop where deals are
// needed): export scopes per role, CSV that parses back to the list, XLSX that is a workbook,
// the formula guard, dry runs that write nothing, real imports visible everywhere a record is,
// Russian Excel files (BOM, ';', CRLF, Windows-1251), chunked imports, merges that move what
// hangs off the merged record, and bad input on every endpoint.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { crmServer, create, get, tag, uniqPhone, all, enc, timeline, dealPipelineOf } from './crm_helpers.mjs';

// ---- helpers ----------------------------------------------------------------------------------

// RFC 4180 reader (what a spreadsheet does with the file): rows of cells.
function parseCsv(text, delimiter = ',') {
  const rows = [];
  let row = [], cell = '', quoted = false, i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"' && cell === '') { quoted = true; i++; continue; }
    if (ch === delimiter) { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') i++;
    if (ch === '\n' || ch === '\r') { row.push(cell); rows.push(row); row = []; cell = ''; i++; continue; }
    cell += ch; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// Export → {status, headers, bytes, text, rows (objects by header)}.
async function exportCsv(c, path) {
  const res = await fetch(c.url + path, { headers: { cookie: c.cookie } });
  const bytes = Buffer.from(await res.arrayBuffer());
  const out = { status: res.status, headers: res.headers, bytes };
  if (res.status !== 200) { out.json = JSON.parse(bytes.toString('utf8')); return out; }
  out.text = bytes.toString('utf8');
  const body = out.text.replace(/^\uFEFF/, '');
  const delimiter = path.includes('delimiter=semicolon') ? ';' : ',';
  const [header, ...rest] = parseCsv(body, delimiter);
  out.header = header;
  out.rows = rest.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]])));
  return out;
}

// Names and contents of a zip archive (the central directory, stored or deflated entries).
function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'an end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'a central directory entry');
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const lNameLen = buf.readUInt16LE(local + 26), lExtraLen = buf.readUInt16LE(local + 28);
    const data = buf.subarray(local + 30 + lNameLen + lExtraLen, local + 30 + lNameLen + lExtraLen + size);
    files[name] = method === 8 ? inflateRawSync(data) : data;
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

// Poll until check() is truthy (for what the server writes after answering).
async function eventually(check, what) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never happened: ${what}`);
}

// POST a CSV body to an import endpoint.
function postCsv(c, path, csv, type = 'text/csv; charset=utf-8') {
  return c.req('POST', path, typeof csv === 'string' ? csv : new Uint8Array(csv), { 'content-type': type });
}

// ---- export -----------------------------------------------------------------------------------

describe('export (dealers)', () => {
  let s;
  before(async () => { s = await crmServer('dealers'); });
  after(async () => { await s?.stop(); });

  it('needs the role\'s export scope: agents and lead creators get 403, for every format and entity', async () => {
    for (const login of [s.byRole.agent[0], s.byRole.lead_creator[0]]) {
      const c = await s.as(login);
      for (const path of ['/api/contacts/export', '/api/companies/export?format=xlsx', '/api/deals/export']) {
        const r = await c.get(path);
        assert.equal(r.status, 403, `${login} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.equal(r.json.error.code, 'forbidden');
      }
    }
    const anon = await fetch(s.srv.url + '/api/contacts/export');
    assert.equal(anon.status, 401);
  });

  it('admin exports every contact: a UTF-8 CSV with BOM that parses back to the list', async () => {
    const r = await exportCsv(s.admin, '/api/contacts/export');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.match(r.headers.get('content-disposition'), /^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"$/);
    assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM');
    assert.ok(r.text.includes('\r\n'), 'rows end with CRLF');
    for (const col of ['id', 'name', 'phones', 'emails', 'company', 'owner', 'city', 'created_at'])
      assert.ok(r.header.includes(col), `column ${col} in ${r.header}`);
    const listed = await all(s.admin, '/api/contacts');
    assert.equal(r.rows.length, listed.length);
    const byId = new Map(r.rows.map((x) => [Number(x.id), x]));
    for (const rec of listed) {
      const row = byId.get(rec.id);
      assert.ok(row, `contact ${rec.id} exported`);
      assert.equal(row.name, rec.name);
      assert.equal(row.phones, rec.phones.join(', '));
      assert.equal(row.emails, rec.emails.join(', '));
      assert.equal(row.owner, rec.owner_name ?? '');
      assert.equal(row.company, rec.company_name ?? '');
    }
  });

  it('takes the list\'s filters, search and sort; semicolon delimiter on request', async () => {
    const t = tag();
    const a = await create(s.admin, 'contacts', { name: `Экспорт ${t} Бета`, city: 'Тверь', phones: [uniqPhone()] });
    const b = await create(s.admin, 'contacts', { name: `Экспорт ${t} Альфа`, city: 'Тверь' });
    await create(s.admin, 'contacts', { name: `Экспорт ${t} Гамма`, city: 'Псков' });
    const r = await exportCsv(s.admin, `/api/contacts/export?q=${enc(t)}&city=${enc('Тверь')}&sort=name&delimiter=semicolon`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.rows.map((x) => Number(x.id)), [b.id, a.id]);
    assert.ok(r.text.split('\r\n')[0].includes(';'), 'the header is ;-separated');
    const bad = await s.admin.get('/api/contacts/export?no_such_field=1');
    assert.equal(bad.status, 400);
  });

  it('defuses formulas people typed (CSV injection) but not the numbers the server wrote', async () => {
    const t = tag();
    const phone = uniqPhone();
    const rec = await create(s.admin, 'contacts', {
      name: `=HYPERLINK("http://evil.example/${t}","click")`, position: '+cmd|calc', notes: '@SUM(1+1)',
      city: '-Минус', phones: [phone],
    });
    const r = await exportCsv(s.admin, `/api/contacts/export?q=${enc(t)}`);
    const row = r.rows.find((x) => Number(x.id) === rec.id);
    assert.ok(row, r.text.slice(0, 500));
    assert.equal(row.name, `'=HYPERLINK("http://evil.example/${t}","click")`);
    assert.equal(row.position, "'+cmd|calc");
    assert.equal(row.notes, "'@SUM(1+1)");
    assert.equal(row.city, "'-Минус");
    assert.equal(row.phones, phone, 'E.164 numbers are data, not formulas');
    assert.equal(row.id, String(rec.id));
  });

  it('XLSX is a workbook (a zip with the sheet) holding the same rows', async () => {
    const t = tag();
    await create(s.admin, 'companies', { name: `Книга ${t}`, inn: '7701234567', city: 'Казань' });
    const res = await fetch(`${s.srv.url}/api/companies/export?format=xlsx&q=${enc(t)}`, { headers: { cookie: s.admin.cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(res.headers.get('content-disposition'), /filename="companies-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const buf = Buffer.from(await res.arrayBuffer());
    assert.equal(buf.readUInt32LE(0), 0x04034b50, 'zip signature PK\\3\\4');
    const files = unzip(buf);
    for (const f of ['[Content_Types].xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml'])
      assert.ok(files[f], `${f} in ${Object.keys(files)}`);
    const sheet = files['xl/worksheets/sheet1.xml'].toString('utf8');
    assert.ok(sheet.includes(`Книга ${t}`), 'the company is in the sheet');
    assert.ok(sheet.includes('7701234567'));
    assert.ok(sheet.includes('<t>stage</t>') || sheet.includes('>stage<'), 'the header row is there');
    assert.equal((sheet.match(/<row /g) || []).length, 2, 'header + one company');
    assert.match(files['xl/workbook.xml'].toString('utf8'), /name="companies"/);
  });

  it('exports deals and companies too, and the export is on the exporter\'s timeline', async () => {
    const d = await s.admin.get('/api/deals/export');
    assert.equal(d.status, 200);
    const c = await exportCsv(s.admin, '/api/companies/export');
    assert.equal(c.status, 200);
    assert.ok(c.header.includes('stage') && c.header.includes('inn'));
    const listed = await all(s.admin, '/api/companies');
    assert.equal(c.rows.length, listed.length);
    // the timeline event is written after the download completes; give it a moment
    let ev;
    await eventually(async () => {
      const tl = await timeline(s.admin, 'user', s.admin.user.id);
      ev = tl.find((e) => e.kind === 'export' && e.field === 'companies' && e.new?.rows === listed.length);
      return ev;
    }, 'an "export" event with the row count');
    assert.equal(ev.new.format, 'csv');
    assert.equal(ev.new.complete, true);
  });

  it('bad export requests: format, delimiter, method', async () => {
    for (const q of ['format=pdf', 'format=', 'delimiter=x', 'delimiter=pipe']) {
      const r = await s.admin.get(`/api/contacts/export?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.status}`);
      assert.ok(r.json.error.field, r.text);
    }
    const r = await s.admin.post('/api/contacts/export', {});
    assert.equal(r.status, 405);
    const cursor = await s.admin.get('/api/contacts/export?cursor=nonsense&limit=1');
    assert.equal(cursor.status, 200, 'limit and cursor belong to the export, not the caller');
  });
});

// ---- import -----------------------------------------------------------------------------------

describe('import (dealers)', () => {
  let s;
  before(async () => { s = await crmServer('dealers'); });
  after(async () => { await s?.stop(); });

  it('dry run checks every row, reports the bad ones and writes nothing', async () => {
    const t = tag();
    const total = (await s.admin.get('/api/contacts?count=true&limit=1')).json.total;
    const csv = [
      'name,phones,emails,owner,city',
      `Хороший ${t},${uniqPhone()},good-${t}@example.ru,${s.byRole.agent[0]},Омск`,
      `Плохой телефон ${t},12345,,,Омск`,
      `Чужой владелец ${t},,,nobody-${t},Омск`,
      `,${uniqPhone()},,,Омск`,
      `Плохая почта ${t},,not-an-email,,Омск`,
    ].join('\n');
    const r = await postCsv(s.admin, '/api/contacts/import?dry_run=true', csv);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.dry_run, true);
    assert.equal(r.json.rows, 5);
    assert.equal(r.json.created, 1, 'one row would be created');
    assert.equal(r.json.failed, 4);
    assert.deepEqual(r.json.ids, []);
    const byRow = Object.fromEntries(r.json.errors.map((e) => [e.row, e]));
    assert.equal(byRow[3].field, 'phones');
    assert.equal(byRow[4].field, 'owner_id');
    assert.match(byRow[4].message, /nobody/);
    assert.equal(byRow[5].field, 'name');
    assert.equal(byRow[6].field, 'emails');
    assert.ok(!byRow[2], 'the good row has no error');
    // a code and the cell at fault, so the browser can say it in the user's language
    assert.deepEqual([3, 4, 5, 6].map((n) => [byRow[n].code, byRow[n].value]),
      [['phone', '12345'], ['user_not_found', `nobody-${t}`], ['missing', null], ['email', 'not-an-email']]);
    const after = (await s.admin.get('/api/contacts?count=true&limit=1')).json.total;
    assert.equal(after, total, 'nothing was written');
    assert.equal((await s.admin.get(`/api/contacts?q=${enc(t)}`)).json.items.length, 0);
  });

  it('a dry run finds a number, e-mail or domain the file repeats in a later batch, as the import does', async () => {
    // the server writes 2000 rows a job and a dry run undoes each job, so these repeats meet
    // rows of an earlier job that is no longer in the database
    const t = tag();
    const phones = Array.from({ length: 4500 }, () => uniqPhone());
    const lines = ['name,phones,emails'];
    for (let i = 0; i < 4500; i++) {
      const phone = i === 4200 ? phones[5].replace('+7', '8 ') : phones[i]; // row 4202 repeats row 7's number
      const email = i === 4300 ? `r1000-${t}@example.ru` : `r${i}-${t}@example.ru`; // row 4302: row 1002's
      lines.push(`Повтор ${t} ${i},${phone},${email}`);
    }
    const csv = lines.join('\n');
    const verdicts = (r) => r.json.errors.map((e) => [e.row, e.field, e.code]);
    const dry = await postCsv(s.admin, '/api/contacts/import?dry_run=true', csv);
    assert.equal(dry.status, 200, dry.text);
    assert.deepEqual([dry.json.created, dry.json.failed], [4498, 2]);
    assert.deepEqual(verdicts(dry), [[4202, 'phones', 'repeated'], [4302, 'emails', 'repeated']]);
    assert.deepEqual(dry.json.errors.map((e) => e.value), ['7', '1002'], 'the earlier row, for the browser to name');
    assert.match(dry.json.errors[0].message, /row 7\b/);
    assert.match(dry.json.errors[1].message, /row 1002\b/);
    assert.equal((await s.admin.get(`/api/contacts?q=${enc('Повтор ' + t)}`)).json.items.length, 0, 'the dry run wrote nothing');
    // the import itself refuses the same two rows
    const real = await postCsv(s.admin, '/api/contacts/import', csv);
    assert.equal(real.status, 200, real.text);
    assert.deepEqual([real.json.created, real.json.failed], [4498, 2]);
    assert.deepEqual(verdicts(real), [[4202, 'phones', 'duplicate'], [4302, 'emails', 'duplicate']]);
    // and a dry run of it now finds every row a duplicate of what the import made
    const again = await postCsv(s.admin, '/api/contacts/import?dry_run=true', csv);
    assert.deepEqual([again.json.created, again.json.failed], [0, 4500]);

    const companies = ['name,domain'];
    for (let i = 0; i < 2100; i++) companies.push(`ООО Повтор ${t} ${i},${i === 2050 ? `d3-${t}.example` : `d${i}-${t}.example`}`);
    const cdry = await postCsv(s.admin, '/api/companies/import?dry_run=true', companies.join('\n'));
    assert.equal(cdry.status, 200, cdry.text);
    assert.deepEqual([cdry.json.created, cdry.json.failed], [2099, 1]);
    assert.deepEqual(verdicts(cdry), [[2052, 'domain', 'repeated']]);
    assert.match(cdry.json.errors[0].message, /row 5\b/);
  });

  it('a dry run sent in chunks under one dry_run_id finds what a later chunk repeats of an earlier one', async () => {
    const t = tag();
    const head = 'name,phones,emails';
    const phones = Array.from({ length: 6 }, () => uniqPhone());
    const chunk1 = [head, ...[0, 1, 2].map((i) => `Частями ${t} ${i},${phones[i]},c${i}-${t}@example.ru`)].join('\n');
    // rows 5–7 of the file: row 5 repeats row 3's number (typed another way), row 6 row 2's e-mail
    const chunk2 = [head, `Частями ${t} 3,${phones[1].replace('+7', '8')},c3-${t}@example.ru`,
      `Частями ${t} 4,${phones[4]},c0-${t}@example.ru`, `Частями ${t} 5,${phones[5]},c5-${t}@example.ru`].join('\n');
    const id = `run-${t}-0001`;
    const send = (c, body, offset, runId = id) =>
      postCsv(c, `/api/contacts/import?dry_run=true&dry_run_id=${runId}&row_offset=${offset}`, body);
    const first = await send(s.admin, chunk1, 0);
    assert.deepEqual([first.status, first.json.created, first.json.failed], [200, 3, 0], first.text);
    const second = await send(s.admin, chunk2, 3);
    assert.deepEqual([second.json.created, second.json.failed], [1, 2]);
    assert.deepEqual(second.json.errors.map((e) => [e.row, e.field, e.code, e.value]), [[5, 'phones', 'repeated', '3'], [6, 'emails', 'repeated', '2']]);
    assert.match(second.json.errors[0].message, /row 3\b/);
    assert.match(second.json.errors[1].message, /row 2\b/);
    // the browser sending a chunk again gets the same answer, not its rows as their own repeats
    const again = await send(s.admin, chunk2, 3);
    assert.deepEqual(again.json.errors.map((e) => e.row), [5, 6]);
    // the run is the user's own: another user with the same name starts afresh
    const theirs = await send(await s.as(s.byRole.agent[0]), chunk2, 3);
    assert.deepEqual([theirs.status, theirs.json.created, theirs.json.failed], [200, 3, 0], theirs.text);
    // row_offset 0 starts the run afresh
    await send(s.admin, [head, `Частями ${t} x,${uniqPhone()},x-${t}@example.ru`].join('\n'), 0);
    const fresh = await send(s.admin, chunk2, 3);
    assert.deepEqual([fresh.json.created, fresh.json.failed], [3, 0]);
    assert.equal((await s.admin.get(`/api/contacts?q=${enc('Частями ' + t)}`)).json.items.length, 0, 'nothing was written');
  });

  it('real import creates records seen in lists, search, duplicates and timelines; bad rows fail alone', async () => {
    const t = tag();
    const p1 = uniqPhone(), p2 = uniqPhone();
    const agent = s.byRole.agent[0];
    const csv = [
      'ФИО,Телефон,E-mail,Ответственный,Город,Должность,Дата рождения',
      `Импортов ${t} Первый,"${p1.replace('+7', '8 ')}, ${p2}",first-${t}@example.ru,${agent},Омск,Закупщик,31.12.1980`,
      `Импортов ${t} Второй,bad-phone,,,,,`,
      `Импортов ${t} Третий,,third-${t}@example.ru,,Тверь,,1990-02-03`,
    ].join('\r\n');
    const r = await postCsv(s.admin, '/api/contacts/import', csv);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.created, 2);
    assert.equal(r.json.failed, 1);
    assert.equal(r.json.errors.length, 1);
    assert.equal(r.json.errors[0].row, 3);
    assert.deepEqual(r.json.mapping, ['name', 'phones', 'emails', 'owner_id', 'city', 'position', 'birthday']);
    assert.equal(r.json.ids.length, 2);
    const [first, third] = await Promise.all(r.json.ids.map((id) => get(s.admin, 'contacts', id)));
    assert.equal(first.name, `Импортов ${t} Первый`);
    assert.deepEqual(first.phones, [p1, p2], 'phones normalised to E.164');
    assert.equal(first.owner_id, s.ids[agent]);
    assert.equal(first.birthday, '1980-12-31', 'Russian dates become ISO');
    assert.equal(third.owner_id, s.admin.user.id, 'no owner column: the importer owns it');
    // lists and search
    const found = await all(s.admin, `/api/contacts?q=${enc(t)}`);
    assert.deepEqual(found.map((x) => x.id).sort(), [...r.json.ids].sort());
    const byPhone = await s.admin.get(`/api/contacts?q=${enc(p2)}`);
    assert.deepEqual(byPhone.json.items.map((x) => x.id), [first.id]);
    // the agent sees the one they own, nothing else
    const mine = await all(await s.as(agent), `/api/contacts?q=${enc(t)}`);
    assert.deepEqual(mine.map((x) => x.id), [first.id]);
    // duplicates
    const dup = await s.admin.get(`/api/duplicates?phone=${enc(p1)}`);
    assert.ok(dup.json.items.some((d) => d.id === first.id && d.match === 'phone'), dup.text);
    const dupMail = await s.admin.get(`/api/duplicates?email=${enc(`third-${t}@example.ru`)}`);
    assert.ok(dupMail.json.items.some((d) => d.id === third.id));
    // timeline: a create event per record, marked as an import
    for (const id of r.json.ids) {
      const tl = await timeline(s.admin, 'contact', id);
      const ev = tl.find((e) => e.kind === 'create');
      assert.ok(ev, `create event of ${id}`);
      assert.equal(ev.reason, 'import');
      assert.equal(ev.actor.id, s.admin.user.id);
    }
    await eventually(async () => (await timeline(s.admin, 'user', s.admin.user.id))
      .some((e) => e.kind === 'import' && e.field === 'contacts' && e.new.created === 2), 'an "import" event on the importer');
  });

  it('a Russian Excel file: BOM, ";", CRLF, quoted cells; preview suggests the mapping', async () => {
    const t = tag();
    const p = uniqPhone();
    const company = await create(s.admin, 'companies', { name: `ООО «Склад ${t}»` });
    const rows = [
      'ФИО;Телефон;E-mail;Компания;Город;Комментарий;Должность',
      `Кириллова ${t} Анна;${p};anna-${t}@example.ru;ООО «Склад ${t}»;Санкт-Петербург;"строка; с ""кавычками""";Бухгалтер`,
      `Ёлкин ${t} Пётр;;;;Москва;"две\r\nстроки";`,
      ';;;;;;',
    ];
    const csv = '\uFEFF' + rows.join('\r\n') + '\r\n';
    const pv = await postCsv(s.admin, '/api/contacts/import/preview', csv);
    assert.equal(pv.status, 200, pv.text);
    assert.equal(pv.json.delimiter, ';');
    assert.equal(pv.json.encoding, 'utf-8');
    assert.deepEqual(pv.json.headers, ['ФИО', 'Телефон', 'E-mail', 'Компания', 'Город', 'Комментарий', 'Должность']);
    assert.deepEqual(pv.json.mapping, ['name', 'phones', 'emails', 'company_id', 'city', 'notes', 'position']);
    assert.equal(pv.json.total_rows, 3);
    assert.equal(pv.json.rows[0][5], 'строка; с "кавычками"');
    assert.equal(pv.json.rows[1][5], 'две\r\nстроки');
    for (const f of ['name', 'phones', 'emails', 'company_id', 'owner_id', 'messengers.telegram'])
      assert.ok(pv.json.fields.includes(f), `${f} among the targets`);
    const r = await postCsv(s.admin, '/api/contacts/import', csv);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.created, 2, r.text);
    assert.equal(r.json.skipped, 1, 'the empty row');
    const anna = await get(s.admin, 'contacts', r.json.ids[0]);
    assert.equal(anna.company_id, company.id, 'the company found by its name');
    assert.equal(anna.notes, 'строка; с "кавычками"');
    assert.deepEqual(anna.phones, [p]);
    // linking the company's first contact moved it lead → firm, as linking by hand does
    const tl = await timeline(s.admin, 'company', company.id);
    assert.ok(tl.some((e) => e.kind === 'stage' && e.new === 'firm'), JSON.stringify(tl.slice(0, 3)));
  });

  it('Windows-1251 files are read as Russian text', async () => {
    const t = tag();
    const text = `Название;ИНН;Город\r\nТорговый дом ${t};7712345678;Самара\r\n`;
    // Windows-1251 by hand: А-я are 0xC0-0xFF, Ё 0xA8, ё 0xB8
    const bytes = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0);
      if (cp < 0x80) bytes.push(cp);
      else if (cp >= 0x410 && cp <= 0x44f) bytes.push(cp - 0x410 + 0xc0);
      else if (cp === 0x401) bytes.push(0xa8);
      else if (cp === 0x451) bytes.push(0xb8);
      else throw new Error('not in the test alphabet: ' + ch);
    }
    const pv = await postCsv(s.admin, '/api/companies/import/preview', Buffer.from(bytes), 'text/csv');
    assert.equal(pv.status, 200, pv.text);
    assert.equal(pv.json.encoding, 'windows-1251');
    assert.deepEqual(pv.json.mapping, ['name', 'inn', 'city']);
    const r = await postCsv(s.admin, '/api/companies/import', Buffer.from(bytes), 'text/csv');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.created, 1);
    const co = await get(s.admin, 'companies', r.json.ids[0]);
    assert.equal(co.name, `Торговый дом ${t}`);
    assert.equal(co.inn, '7712345678');
    const strict = await postCsv(s.admin, '/api/companies/import?encoding=utf-8', Buffer.from(bytes), 'text/csv');
    assert.equal(strict.status, 400);
    assert.equal(strict.json.error.field, 'encoding');
  });

  it('explicit mapping, defaults, custom fields and a big file sent in chunks with row_offset', async () => {
    const t = tag();
    const field = await s.admin.post('/api/fields', { entity: 'company', key: `vol_${t}`, label: `Объём ${t}`, type: 'number' });
    assert.equal(field.status, 201, field.text);
    const key = `vol_${t}`;
    const header = 'Организация,Объём,Skip me,Сайт';
    const lines = [];
    for (let i = 0; i < 30; i++) lines.push(`Чанк ${t} ${i},"1 234,5",x,https://www.chunk-${t}-${i}.ru/path`);
    lines[17] = `Чанк ${t} 17,много,x,`;
    const mapping = { 'Организация': 'name', 'Объём': `custom.${key}`, 'Skip me': null, 'Сайт': 'domain' };
    let offset = 0, created = 0;
    const errors = [];
    for (let i = 0; i < lines.length; i += 10) {
      const body = [header, ...lines.slice(i, i + 10)].join('\n');
      const r = await s.admin.post('/api/companies/import', { csv: body, mapping, row_offset: offset, defaults: { city: 'Уфа', source: 'импорт' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.next_offset, offset + 10);
      offset = r.json.next_offset;
      created += r.json.created;
      errors.push(...r.json.errors);
    }
    assert.equal(created, 29);
    assert.deepEqual(errors.map((e) => [e.row, e.field]), [[19, `custom.${key}`]], 'row numbers count across chunks');
    const got = await all(s.admin, `/api/companies?q=${enc(`Чанк ${t}`)}`);
    assert.equal(got.length, 29);
    const one = got.find((x) => x.name === `Чанк ${t} 3`);
    assert.equal(one.custom[key], 1234.5);
    assert.equal(one.domain, `chunk-${t}-3.ru`);
    assert.equal(one.city, 'Уфа');
    assert.equal(one.source, 'импорт');
    assert.ok(one.pipeline_id, 'new companies start in the company pipeline, as through the API');
  });

  it('companies start in a stage under the API\'s rules: matrix, required fields, checklist', async () => {
    const t = tag();
    const csv = [
      'Название;Этап;Телефон',
      `Этапы ${t} лид;;`,
      `Этапы ${t} клиент;client;`,
      `Этапы ${t} аккаунт;account;${uniqPhone()}`,
      `Этапы ${t} без телефона;account;`,
      `Этапы ${t} нет такого;nowhere;`,
    ].join('\n');
    const r = await postCsv(s.admin, '/api/companies/import', csv);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.mapping, ['name', 'stage', 'phones']);
    assert.equal(r.json.created, 2, r.text);
    const errs = Object.fromEntries(r.json.errors.map((e) => [e.row, e]));
    assert.equal(errs[4].field, 'checklist', 'a new company cannot have the documents checklist done');
    assert.equal(errs[5].field, 'phones', 'account requires phones');
    assert.equal(errs[6].field, 'stage');
    const [lead, client] = await Promise.all(r.json.ids.map((id) => get(s.admin, 'companies', id)));
    const stages = Object.fromEntries((await s.admin.get('/api/pipelines?entity=company')).json.items[0].stages.map((x) => [x.id, x.key]));
    assert.equal(stages[lead.stage_id], 'lead');
    assert.equal(stages[client.stage_id], 'client');
    // an agent's matrix has no lead → client: refused per row, the rest still created
    const agent = await s.as(s.byRole.agent[0]);
    const r2 = await postCsv(agent, '/api/companies/import', `name,stage\nАгент ${t} 1,lead\nАгент ${t} 2,client\n`);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.created, 1);
    assert.equal(r2.json.errors[0].row, 3);
    assert.equal(r2.json.errors[0].field, 'stage');
    assert.match(r2.json.errors[0].message, /may not start/);
  });

  it('what the export writes, the import reads back (round trip)', async () => {
    const t = tag();
    const phone = uniqPhone();
    await create(s.admin, 'contacts', { name: `Круг ${t}`, phones: [phone], emails: [`round-${t}@example.ru`], city: 'Чита', owner_id: s.ids[s.byRole.agent[1]] });
    const ex = await exportCsv(s.admin, `/api/contacts/export?q=${enc(t)}`);
    assert.equal(ex.rows.length, 1);
    const pv = await postCsv(s.admin, '/api/contacts/import/preview', ex.bytes.toString('utf8'));
    const m = Object.fromEntries(pv.json.headers.map((h, i) => [h, pv.json.mapping[i]]));
    assert.equal(m.id, null);
    assert.equal(m.created_at, null);
    assert.equal(m.owner, 'owner_id');
    assert.equal(m.phones, 'phones');
    // the same phone and e-mail exist: refused as a duplicate unless asked for
    const refused = await postCsv(s.admin, '/api/contacts/import', ex.bytes.toString('utf8'));
    assert.equal(refused.status, 200, refused.text);
    assert.equal(refused.json.created, 0, refused.text);
    assert.equal(refused.json.errors[0].field, 'phones');
    assert.match(refused.json.errors[0].message, /has this phone number already/);
    assert.equal(refused.json.errors[0].code, 'duplicate');
    assert.equal(refused.json.errors[0].value, `Круг ${t}`, 'the record that has the number, which the admin may see');
    const r = await postCsv(s.admin, '/api/contacts/import?allow_duplicates=true', ex.bytes.toString('utf8'));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.created, 1, r.text);
    const copy = await get(s.admin, 'contacts', r.json.ids[0]);
    assert.equal(copy.name, `Круг ${t}`);
    assert.deepEqual(copy.phones, [phone]);
    assert.equal(copy.owner_id, s.ids[s.byRole.agent[1]], 'the owner found by full name');
  });

  it('respects the create scope: lead creators may not import contacts; agents import for themselves only', async () => {
    const lc = await s.as(s.byRole.lead_creator[0]);
    const r = await postCsv(lc, '/api/contacts/import', 'name\nX\n');
    assert.equal(r.status, 403);
    const pv = await postCsv(lc, '/api/contacts/import/preview', 'name\nX\n');
    assert.equal(pv.status, 403);
    const agent = await s.as(s.byRole.agent[0]);
    const t = tag();
    const r2 = await postCsv(agent, '/api/companies/import', `name,owner\nСвоя ${t},\nЧужая ${t},${s.byRole.agent[1]}\n`);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.created, 1);
    assert.equal(r2.json.errors[0].row, 3);
    assert.equal(r2.json.errors[0].field, 'owner_id');
  });

  it('bad import requests are refused before anything is written', async () => {
    const a = s.admin;
    const cases = [
      [() => a.req('POST', '/api/contacts/import', 'name\nX\n', { 'content-type': 'application/xml' }), 415],
      [() => postCsv(a, '/api/contacts/import', ''), 400],
      [() => postCsv(a, '/api/contacts/import', 'name,phones\n"never closed,1\n'), 400],
      [() => postCsv(a, '/api/contacts/import', 'a,b\x00c\n'), 400],
      [() => postCsv(a, '/api/contacts/import', 'phones\n+79161234567\n'), 400, 'mapping'],
      [() => postCsv(a, `/api/contacts/import?mapping=${enc('{"name":"no_such_field"}')}`, 'name\nX\n'), 400, 'mapping'],
      [() => postCsv(a, `/api/contacts/import?mapping=${enc('{"nope":"name"}')}`, 'name\nX\n'), 400, 'mapping'],
      [() => postCsv(a, `/api/contacts/import?mapping=${enc('{"name":"created_at"}')}`, 'name\nX\n'), 400, 'mapping'],
      [() => postCsv(a, `/api/contacts/import?mapping=${enc('{not json')}`, 'name\nX\n'), 400, 'mapping'],
      [() => postCsv(a, `/api/contacts/import?mapping=${enc('["name","city","city"]')}`, 'a,b,c\nX,Y,Z\n'), 400, 'mapping'],
      [() => postCsv(a, `/api/contacts/import?mapping=${enc('["name","owner_id","owner"]')}`, 'a,b,c\nX,Y,Z\n'), 400, 'mapping'],
      [() => postCsv(a, `/api/contacts/import?mapping=${enc('["name","name","name","name"]')}`, 'a,b\nX,Y\n'), 400, 'mapping'],
      [() => postCsv(a, '/api/contacts/import?dry_run=maybe', 'name\nX\n'), 400, 'dry_run'],
      [() => postCsv(a, '/api/contacts/import?dry_run=true&dry_run_id=short', 'name\nX\n'), 400, 'dry_run_id'],
      [() => postCsv(a, '/api/contacts/import?dry_run=true&dry_run_id=' + 'x'.repeat(65), 'name\nX\n'), 400, 'dry_run_id'],
      [() => postCsv(a, '/api/contacts/import?dry_run=true&dry_run_id=has%20space%20in', 'name\nX\n'), 400, 'dry_run_id'],
      [() => postCsv(a, '/api/contacts/import?dry_run_id=abcdefgh', 'name\nX\n'), 400, 'dry_run_id'],
      [() => a.post('/api/contacts/import', { csv: 'name\nX\n', dry_run: true, dry_run_id: 12345678 }), 400, 'dry_run_id'],
      [() => postCsv(a, '/api/contacts/import?row_offset=-1', 'name\nX\n'), 400, 'row_offset'],
      [() => postCsv(a, '/api/contacts/import?delimiter=x', 'name\nX\n'), 400, 'delimiter'],
      [() => postCsv(a, '/api/contacts/import?encoding=koi8-r', 'name\nX\n'), 400, 'encoding'],
      [() => postCsv(a, `/api/contacts/import?defaults=${enc('{"city":5}')}`, 'name\nX\n'), 400, 'defaults'],
      [() => postCsv(a, `/api/contacts/import?defaults=${enc('{"nope":"x"}')}`, 'name\nX\n'), 400, 'defaults'],
      [() => a.post('/api/contacts/import', { mapping: {} }), 400, 'csv'],
      [() => a.post('/api/contacts/import', { csv: 'name\nX\n', unknown: 1 }), 400],
      [() => a.post('/api/contacts/import', { csv: 5 }), 400, 'csv'],
      [() => a.req('POST', '/api/contacts/import', '{"csv":', { 'content-type': 'application/json' }), 400],
      [() => a.post('/api/contacts/import', { csv: 'name\nX\n', mapping: 'name' }), 400, 'mapping'],
      [() => a.post('/api/contacts/import/preview', { csv: '' }), 400, 'csv'],
      [() => postCsv(a, '/api/companies/import/preview', 'x,"y\n'), 400],
      [() => postCsv(a, '/api/deals/import', 'title\nX\n'), 405],
      [() => a.req('POST', '/api/contacts/import', 'name\nX\n', { 'content-type': 'text/csv', 'x-csrf-token': 'wrong' }), 403],
      [() => fetch(`${s.srv.url}/api/contacts/import`, { method: 'POST', body: 'name\nX\n' }).then((r) => ({ status: r.status, json: null, text: '' })), 401],
    ];
    const before = (await a.get('/api/contacts?count=true&limit=1')).json.total;
    for (const [make, status, field] of cases) {
      const r = await make();
      assert.equal(r.status, status, `${make.toString().slice(6, 160)} → ${r.status} ${r.text?.slice(0, 200)}`);
      if (field) assert.equal(r.json.error.field, field, r.text);
      if (r.json?.error) assert.ok(r.json.error.message, r.text);
    }
    const big = 'name\n' + 'x'.repeat(1100 * 1024) + '\n';
    const tooBig = await postCsv(a, '/api/contacts/import', big);
    assert.equal(tooBig.status, 413);
    assert.equal((await a.get('/api/contacts?count=true&limit=1')).json.total, before, 'nothing was written');
  });
});

// ---- merge ------------------------------------------------------------------------------------

describe('merge (dealers)', () => {
  let s;
  before(async () => { s = await crmServer('dealers'); });
  after(async () => { await s?.stop(); });

  it('merges two contacts: chosen fields, phones united, notes and tasks moved, merged one is 404', async () => {
    const t = tag();
    const pk = uniqPhone(), pm = uniqPhone(), shared = uniqPhone();
    const keep = await create(s.admin, 'contacts', { name: `Слияние ${t}`, phones: [pk, shared], city: 'Курск', position: 'Директор' });
    const merge = await create(s.admin, 'contacts', { name: `Слиянние ${t}`, phones: [shared, pm], emails: [`m-${t}@example.ru`], city: 'Орёл', notes: 'из дубля', allow_duplicate: true });
    await s.admin.patch(`/api/contacts/${merge.id}`, { version: merge.version, position: 'Бухгалтер' });
    const note = await s.admin.post('/api/notes', { entity: 'contact', record_id: merge.id, body: `заметка ${t}` });
    assert.equal(note.status, 201, note.text);
    const task = await s.admin.post('/api/tasks', { title: `звонок ${t}`, due_at: Date.now() + 3600e3, entity: 'contact', record_id: merge.id });
    assert.equal(task.status, 201, task.text);
    const r = await s.admin.post('/api/contacts/merge', { keep: keep.id, merge: merge.id, fields: { city: 'merge', position: 'keep' } });
    assert.equal(r.status, 200, r.text);
    const rec = r.json.record;
    assert.equal(rec.id, keep.id);
    assert.equal(rec.city, 'Орёл', 'chosen from the merged record');
    assert.equal(rec.position, 'Директор', 'kept');
    assert.equal(rec.notes, 'из дубля', 'empty on the kept record: filled from the merged one');
    assert.deepEqual(rec.phones, [pk, shared, pm], 'phones united, no duplicates');
    assert.deepEqual(rec.emails, [`m-${t}@example.ru`]);
    assert.ok(rec.version > keep.version);
    assert.equal(r.json.moved.notes, 1);
    assert.equal(r.json.moved.tasks, 1);
    assert.ok(r.json.moved.events >= 2, 'the merged record\'s history was copied');
    // the merged record is gone everywhere
    assert.equal((await s.admin.get(`/api/contacts/${merge.id}`)).status, 404);
    // an administrator may still audit the deleted record: its history ends with the merge
    const gone = await timeline(s.admin, 'contact', merge.id);
    assert.equal(gone[0].kind, 'merge');
    assert.equal(gone[0].new.into, keep.id);
    const byPhone = await s.admin.get(`/api/contacts?phone=${enc(pm)}`);
    assert.deepEqual(byPhone.json.items.map((x) => x.id), [keep.id], 'the merged phone finds the kept record');
    // notes and tasks now belong to the kept record
    const notes = await s.admin.get(`/api/notes?entity=contact&record_id=${keep.id}`);
    assert.ok(notes.json.items.some((n) => n.body === `заметка ${t}`), notes.text);
    const tk = await s.admin.get(`/api/tasks/${task.json.id}`);
    assert.equal(tk.json.record_id, keep.id);
    // the kept record's timeline: the merge, the field changes, the merged record's history
    const tl = await timeline(s.admin, 'contact', keep.id);
    const m = tl.find((e) => e.kind === 'merge');
    assert.ok(m, 'a merge event');
    assert.equal(m.new.merged, merge.id);
    assert.ok(tl.some((e) => e.kind === 'update' && e.field === 'city' && e.old === 'Курск' && e.new === 'Орёл'));
    assert.ok(tl.some((e) => e.kind === 'update' && e.field === 'position' && e.new === 'Бухгалтер' && e.reason === `from contact ${merge.id}`),
      'the merged record\'s own edits are in the kept timeline');
    assert.ok(tl.some((e) => e.kind === 'create' && e.reason === `from contact ${merge.id}`));
    // the search index follows
    const found = await s.admin.get(`/api/contacts?q=${enc(`m-${t}@example.ru`)}`);
    assert.deepEqual(found.json.items.map((x) => x.id), [keep.id]);
  });

  it('merges companies: their contacts move over, the kept company leaves "lead"', async () => {
    const t = tag();
    const keep = await create(s.admin, 'companies', { name: `Холдинг ${t}`, inn: '7800000001' });
    const merge = await create(s.admin, 'companies', { name: `Холдинг ${t} (дубль)`, website: 'https://dub.example' });
    const person = await create(s.admin, 'contacts', { name: `Сотрудник ${t}`, company_id: merge.id });
    const r = await s.admin.post('/api/companies/merge', { keep: keep.id, merge: merge.id, keep_version: keep.version });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.moved.contacts, 1);
    assert.equal(r.json.record.website, 'https://dub.example');
    assert.equal(r.json.record.inn, '7800000001');
    const moved = await get(s.admin, 'contacts', person.id);
    assert.equal(moved.company_id, keep.id);
    const tl = await timeline(s.admin, 'contact', person.id);
    assert.ok(tl.some((e) => e.field === 'company_id' && e.old === merge.id && e.new === keep.id && e.reason === 'merge'));
    const ktl = await timeline(s.admin, 'company', keep.id);
    assert.ok(ktl.some((e) => e.kind === 'stage' && e.new === 'firm'), 'lead → firm: it has a contact now');
    assert.equal((await s.admin.get(`/api/companies/${merge.id}`)).status, 404);
  });

  it('only admins merge; bad merge requests', async () => {
    const t = tag();
    const a = await create(s.admin, 'contacts', { name: `М1 ${t}` });
    const b = await create(s.admin, 'contacts', { name: `М2 ${t}` });
    const agent = await s.as(s.byRole.agent[0]);
    assert.equal((await agent.post('/api/contacts/merge', { keep: a.id, merge: b.id })).status, 403);
    const bad = [
      [{ keep: a.id, merge: a.id }, 400, 'merge'],
      [{ keep: a.id }, 400, 'merge'],
      [{ merge: b.id }, 400, 'keep'],
      [{ keep: 'x', merge: b.id }, 400, 'keep'],
      [{ keep: a.id, merge: b.id, extra: 1 }, 400],
      [{ keep: a.id, merge: b.id, fields: { city: 'both' } }, 400, 'fields.city'],
      [{ keep: a.id, merge: b.id, fields: { nope: 'keep' } }, 400, 'fields.nope'],
      [{ keep: a.id, merge: b.id, fields: { created_at: 'merge' } }, 400, 'fields.created_at'],
      [{ keep: a.id, merge: b.id, fields: { phones: 'keep' } }, 400, 'fields.phones'],
      [{ keep: a.id, merge: b.id, fields: { 'custom.none': 'keep' } }, 400, 'fields.custom.none'],
      [{ keep: a.id, merge: b.id, fields: [] }, 400, 'fields'],
      [{ keep: a.id, merge: 999999999 }, 404, 'merge'],
      [{ keep: 999999999, merge: b.id }, 404, 'keep'],
      [{ keep: a.id, merge: b.id, keep_version: a.version + 5 }, 409, 'keep_version'],
    ];
    for (const [body, status, field] of bad) {
      const r = await s.admin.post('/api/contacts/merge', body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${r.status} ${r.text}`);
      if (field) assert.equal(r.json.error.field, field, r.text);
    }
    assert.equal((await s.admin.req('POST', '/api/contacts/merge', 'keep=1', { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await s.admin.post('/api/deals/merge', { keep: 1, merge: 2 })).status, 405);
    // nothing happened to either record
    assert.equal((await s.admin.get(`/api/contacts/${a.id}`)).status, 200);
    assert.equal((await s.admin.get(`/api/contacts/${b.id}`)).status, 200);
  });

  it('too many phones together is a clear 422, and nothing changes', async () => {
    const t = tag();
    const phones = (n) => Array.from({ length: n }, () => uniqPhone());
    const a = await create(s.admin, 'contacts', { name: `Много ${t}`, phones: phones(6) });
    const b = await create(s.admin, 'contacts', { name: `Много ${t} 2`, phones: phones(6) });
    const r = await s.admin.post('/api/contacts/merge', { keep: a.id, merge: b.id });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.field, 'phones');
    assert.equal((await get(s.admin, 'contacts', a.id)).phones.length, 6);
    assert.equal((await s.admin.get(`/api/contacts/${b.id}`)).status, 200);
  });
});

describe('merge moves deals (eshop)', () => {
  let s;
  before(async () => { s = await crmServer('eshop'); });
  after(async () => { await s?.stop(); });

  it('deals of the merged contact point at the kept one, each with a timeline event', async () => {
    const pipeline = dealPipelineOf('eshop');
    const t = tag();
    const keep = await create(s.admin, 'contacts', { name: `Покупатель ${t}`, phones: [uniqPhone()] });
    const merge = await create(s.admin, 'contacts', { name: `Покупатель ${t} дубль`, phones: [uniqPhone()] });
    const d1 = await create(s.admin, 'deals', { title: `Заказ ${t} 1`, pipeline: pipeline.key, contact_id: merge.id });
    const d2 = await create(s.admin, 'deals', { title: `Заказ ${t} 2`, pipeline: pipeline.key, contact_id: merge.id });
    const r = await s.admin.post('/api/contacts/merge', { keep: keep.id, merge: merge.id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.moved.deals, 2);
    for (const d of [d1, d2]) {
      const deal = await get(s.admin, 'deals', d.id);
      assert.equal(deal.contact_id, keep.id);
      assert.ok(deal.version > d.version, 'the deal\'s version moved, so stale edits conflict');
      const tl = await timeline(s.admin, 'deal', d.id);
      assert.ok(tl.some((e) => e.field === 'contact_id' && e.old === merge.id && e.new === keep.id));
    }
    const byContact = await all(s.admin, `/api/deals?contact_id=${keep.id}`);
    assert.deepEqual(byContact.map((x) => x.id).sort(), [d1.id, d2.id].sort());
    assert.equal((await s.admin.get(`/api/contacts/${merge.id}`)).status, 404);
    const ex = await exportCsv(s.admin, `/api/deals/export?contact_id=${keep.id}`);
    assert.equal(ex.rows.length, 2);
    assert.ok(ex.rows.every((x) => x.contact === `Покупатель ${t}` && x.pipeline === pipeline.key), JSON.stringify(ex.rows[0]));
  });
});
