// The catalogues the service and retail presets ship (the eshop one is in crm_products.test.mjs):
// `cleaning` sells works from a price list by m², pieces and sashes (SCENARIOS.md §1, the order
// calculator), `b2c` sells home goods with delivery (§4). Their demo orders carry lines whose sum
// is the order's amount, as a fresh demo shows them to a manager.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { crmServer, all } from './crm_helpers.mjs';

const CASES = {
  cleaning: { units: ['м²', 'шт'], min: 8, orders: 25, service: /Химчистка дивана/ },
  b2c: { units: ['шт', 'услуга'], min: 10, orders: 30, service: /Доставка курьером/ },
};

for (const [preset, want] of Object.entries(CASES)) {
  describe(`${preset} demo: catalogue and order lines`, () => {
    let s;
    after(async () => { await s?.stop(); });

    it('ships a priced catalogue and orders whose lines sum to their amount', async () => {
      s = await crmServer(preset);
      const catalogue = await all(s.admin, '/api/products');
      assert.ok(catalogue.length >= want.min, `${preset}: ${catalogue.length} products`);
      for (const p of catalogue) {
        assert.match(p.name, /[А-Яа-яЁё]/, `a Russian name: ${p.name}`);
        assert.match(p.code, /^[A-Z0-9-]+$/, `a code: ${p.code}`);
        assert.equal(p.currency, 'RUB');
      }
      for (const u of want.units) assert.ok(catalogue.some((p) => p.unit === u && p.price > 0), `a product sold by ${u}`);
      assert.ok(catalogue.some((p) => want.service.test(p.name)), `${want.service} is in the catalogue`);
      const deals = await all(s.admin, '/api/deals?pipeline=orders');
      let withLines = 0, lined = null;
      for (const d of deals) {
        const items = (await s.admin.get(`/api/deals/${d.id}/items`)).json.items;
        if (!items.length) continue;
        withLines++;
        lined ||= d;
        assert.equal(items.reduce((sum, x) => sum + x.amount, 0), d.amount, `${d.title}: the lines sum to the amount`);
        assert.ok(items.every((x) => x.qty > 0 && x.price >= 0), `${d.title}: ${JSON.stringify(items)}`);
      }
      assert.ok(withLines >= want.orders, `${preset}: ${withLines} demo orders with lines`);
      // a demo order with lines keeps its amount to them
      const r = await s.admin.patch('/api/deals/' + lined.id, { version: lined.version, amount: lined.amount + 100 });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.error.code, 'amount_from_items');
    });
  });
}
