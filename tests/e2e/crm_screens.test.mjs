// The CRM screens on a desktop and a phone, in English and Russian: every screen renders
// without errors, nothing spills sideways on a phone, and the screenshot set goes to
// build/screenshots (board, list, card, create form, lead creator, home).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, setCompanyLanguage, clientAs, create,
  horizontalOverflow, screenshot, PHONE, DESKTOP } from './helpers.mjs';

const AGENT = 'i.smirnov';
let server, browser, company, contact;
before(async () => {
  server = await startServer({ preset: 'dealers' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  const agent = await clientAs(server.url, AGENT);
  company = await create(agent, 'companies', { name: 'ООО «Электросеть-Опт»', pipeline: 'dealers', city: 'Екатеринбург',
    phones: ['+7 343 200 10 20', '8 912 600 70 80'], emails: ['opt@elset.ru'], domain: 'elset.ru', inn: '6670012345',
    address: 'ул. Малышева, 51, оф. 12', notes: 'Работают с крупными застройщиками. Интересны условия по кабелю.' });
  contact = await create(agent, 'contacts', { name: 'Кузнецова Мария Игоревна', company_id: company.id, position: 'Закупщик',
    phones: ['+7 912 600 70 81'], emails: ['m.kuznetsova@elset.ru'] });
  const fresh = (await agent.get('/api/companies/' + company.id)).json;
  await agent.patch('/api/companies/' + company.id, { version: fresh.version, city: 'Екатеринбург', region: 'Свердловская область' });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  for (const lang of ['en', 'ru']) {
    test(`CRM screenshots: ${size}, ${lang}`, async () => {
      const page = await openPage(browser, { viewport });
      await page.addInitScript((l) => { if (!localStorage.getItem('voronka.lang')) localStorage.setItem('voronka.lang', l); }, lang);
      await signIn(page, server.url, AGENT);
      const shot = async (name) => {
        assert.equal(await horizontalOverflow(page), 0, `${name} fits the ${size} screen`);
        await screenshot(page, `${name}-${size}-${lang}`);
      };
      await page.getByTestId('home-tiles').waitFor();
      await page.getByTestId('home-funnel').waitFor();
      await shot('crm-home');
      await page.goto(server.url + '/companies/board');
      await page.getByTestId('card-' + company.id).waitFor();
      await shot('crm-board');
      await page.getByTestId('card-' + company.id).getByTestId('card-move').click();
      await page.getByTestId('move-dialog').waitFor();
      await shot('crm-move-dialog');
      await page.keyboard.press('Escape');
      await page.goto(server.url + '/companies/list');
      await page.getByTestId('row-' + company.id).waitFor();
      await shot('crm-list');
      await page.goto(server.url + '/companies/' + company.id);
      await page.getByTestId('timeline-item').first().waitFor();
      await page.getByTestId('related-contacts').getByText('Кузнецова Мария Игоревна').waitFor();
      await shot('crm-company');
      await page.goto(server.url + '/contacts/' + contact.id);
      await expectText(page.getByTestId('link-company_id'), 'ООО «Электросеть-Опт»');
      await shot('crm-contact');
      await page.goto(server.url + '/contacts/new');
      await page.getByTestId('create-form').waitFor();
      await shot('crm-create');
      await page.goto(server.url + '/leads');
      await page.getByTestId('lead-name').fill('Электросеть');
      await page.getByTestId('lead-phone-0').fill('8 (343) 200-10-20');
      await page.getByTestId('dup-exact').waitFor();
      await shot('crm-leads');
      assert.deepEqual(page.errors, []);
      await closePage(page);
    });
  }
}
