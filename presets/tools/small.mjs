// Sample data of the four smaller presets: eshop, logistics, cleaning, b2c.
import { rng, person, translit, personalEmail, formatPhone, mobile, money, round, CITIES } from './lib.mjs';

const counter = () => {
  const c = {};
  return (p) => `${p}${(c[p] = (c[p] || 0) + 1)}`;
};

function phone(r) {
  return formatPhone(r, mobile(r));
}

function day(r, from = 1960, to = 2002) {
  return `${r.int(from, to)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
}

// ---- Moscow and the Moscow region: districts, streets ----

const MOSCOW = {
  'САО': ['Дмитровское ш.', 'ул. Флотская', 'Ленинградское ш.', 'ул. Зои и Александра Космодемьянских', 'Бескудниковский б-р'],
  'СЗАО': ['ул. Свободы', 'ул. Маршала Катукова', 'Волоколамское ш.', 'ул. Героев Панфиловцев'],
  'СВАО': ['ул. Декабристов', 'Алтуфьевское ш.', 'ул. Менжинского', 'пр-т Мира', 'ул. Бестужевых'],
  'ВАО': ['ул. Первомайская', 'Щёлковское ш.', 'ул. Уральская', 'ул. Новогиреевская'],
  'ЮВАО': ['Рязанский пр-т', 'ул. Маршала Чуйкова', 'ул. Братиславская', 'Волгоградский пр-т'],
  'ЮАО': ['Варшавское ш.', 'ул. Академика Миллионщикова', 'Каширское ш.', 'ул. Генерала Белова'],
  'ЮЗАО': ['ул. Профсоюзная', 'Ленинский пр-т', 'ул. Островитянова', 'ул. Академика Волгина'],
  'ЗАО': ['Кутузовский пр-т', 'ул. Братьев Фонченко', 'Мичуринский пр-т', 'ул. Кастанаевская'],
  'ЦАО': ['ул. Большая Полянка', 'ул. Покровка', 'Цветной б-р', 'ул. Зоологическая'],
};
const MO_TOWNS = { 'Химки': 'САО', 'Зеленоград': 'СЗАО', 'Мытищи': 'СВАО', 'Балашиха': 'ВАО', 'Люберцы': 'ЮВАО',
  'Видное': 'ЮАО', 'Одинцово': 'ЗАО', 'Красногорск': 'СЗАО', 'Подольск': 'ЮАО', 'Королёв': 'СВАО' };
const MO_STREETS = ['ул. Ленина', 'ул. Московская', 'ул. Строителей', 'ул. Победы', 'Октябрьский пр-т', 'ул. Молодёжная'];

// {city, region, district, address} somewhere in Moscow or a nearby town
function moscowPlace(r, district = null) {
  if (!district && r.chance(0.25)) {
    const town = r.pick(Object.keys(MO_TOWNS));
    return { city: town, region: 'Московская область', district: town, zone: MO_TOWNS[town],
      address: `г. ${town}, ${r.pick(MO_STREETS)}, д. ${r.int(1, 60)}, кв. ${r.int(1, 280)}` };
  }
  const d = district || r.pick(Object.keys(MOSCOW));
  return { city: 'Москва', region: 'Москва', district: d, zone: d,
    address: `г. Москва, ${r.pick(MOSCOW[d])}, д. ${r.int(1, 120)}${r.chance(0.2) ? ` к${r.int(1, 4)}` : ''}, кв. ${r.int(1, 400)}` };
}

// ---- eshop: plumbing delivered and installed ----

// [code, name, price ₽, category, landing, installation service code]; the landing button carries the code
const ESHOP_PRODUCTS = [
  ['BOIL-TX80', 'Водонагреватель Thermex Flat Plus Pro IF 80V', 24990, 'Водонагреватели', 'boilers', 'SRV-BOIL'],
  ['BOIL-AR50', 'Водонагреватель Ariston ABS VLS Evo 50', 21490, 'Водонагреватели', 'boilers', 'SRV-BOIL'],
  ['BOIL-EL100', 'Водонагреватель Electrolux EWH 100 Formax', 18990, 'Водонагреватели', 'boilers', 'SRV-BOIL'],
  ['MIX-GR-K', 'Смеситель для кухни Grohe Eurosmart', 9890, 'Смесители', 'mixers', 'SRV-MIX'],
  ['MIX-HG-B', 'Смеситель для ванны Hansgrohe Logis', 12450, 'Смесители', 'mixers', 'SRV-MIX'],
  ['WC-INST-CR', 'Инсталляция Cersanit с подвесным унитазом, комплект', 23900, 'Унитазы и инсталляции', 'toilets', 'SRV-WC-INST'],
  ['WC-JD-PT', 'Унитаз-компакт Jacob Delafon Patio', 15700, 'Унитазы и инсталляции', 'toilets', 'SRV-WC'],
  ['SHW-NG90', 'Душевая кабина Niagara 90×90', 32500, 'Душевые кабины', 'showers', 'SRV-SHW'],
  ['FLT-RO101', 'Фильтр обратного осмоса Аквафор DWM-101S', 14990, 'Фильтры', 'filters', 'SRV-FLT-RO'],
  ['FLT-GZ-PR', 'Фильтр Гейзер Престиж под мойку', 8990, 'Фильтры', 'filters', 'SRV-FLT'],
  ['TWL-TRM', 'Полотенцесушитель электрический Terminus Евромикс', 11200, 'Полотенцесушители', 'towel', 'SRV-TWL'],
  ['PMP-GF524', 'Насосная станция Grundfos Hydrojet JPB 5/24', 27800, 'Насосы', 'pumps', 'SRV-PMP'],
];
// what an installer adds on the spot: [code, name, unit, price ₽, for the category]
const ESHOP_PARTS = [
  ['ACC-SAFE-34', 'Группа безопасности для водонагревателя 3/4"', 'шт', 1290, 'Водонагреватели'],
  ['ACC-HOSE-60', 'Подводка гибкая для воды 60 см, пара', 'компл', 790, 'Смесители'],
  ['ACC-CORR-WC', 'Гофра для унитаза армированная', 'шт', 450, 'Унитазы и инсталляции'],
  ['ACC-SIPH-SH', 'Сифон для душевого поддона', 'шт', 1150, 'Душевые кабины'],
  ['FLT-K3K2K7', 'Комплект сменных картриджей Аквафор К3-К2-К7', 'компл', 2790, 'Фильтры'],
  ['ACC-TANK-24', 'Гидроаккумулятор 24 л вертикальный', 'шт', 4350, 'Насосы'],
];
// services are catalogue lines too: [code, name, unit, price ₽]
const ESHOP_SERVICES = [
  ['SRV-BOIL', 'Монтаж водонагревателя', 'услуга', 4500],
  ['SRV-MIX', 'Установка смесителя', 'услуга', 2000],
  ['SRV-WC-INST', 'Монтаж инсталляции с подвесным унитазом', 'услуга', 7500],
  ['SRV-WC', 'Установка унитаза-компакта', 'услуга', 3500],
  ['SRV-SHW', 'Сборка и подключение душевой кабины', 'услуга', 8000],
  ['SRV-FLT-RO', 'Установка фильтра обратного осмоса', 'услуга', 2500],
  ['SRV-FLT', 'Установка фильтра под мойку', 'услуга', 2000],
  ['SRV-TWL', 'Подключение электрического полотенцесушителя', 'услуга', 2800],
  ['SRV-PMP', 'Монтаж насосной станции', 'услуга', 5000],
  ['SRV-DISM', 'Демонтаж старого оборудования', 'услуга', 1500],
  ['DLV-MSK', 'Доставка по Москве', 'услуга', 490],
  ['DLV-MO', 'Доставка по Московской области', 'услуга', 990],
];
const ESHOP_LANDINGS = { boilers: 'Лендинг «Водонагреватели»', mixers: 'Лендинг «Смесители»', toilets: 'Лендинг «Инсталляции»',
  showers: 'Лендинг «Душевые кабины»', filters: 'Лендинг «Фильтры для воды»', towel: 'Лендинг «Полотенцесушители»',
  pumps: 'Лендинг «Насосы»' };
const MASTER_ZONES = { 'n.sokolov': ['САО', 'СЗАО'], 'a.makarov': ['СВАО', 'ВАО'], 'v.zakharov': ['ЮВАО'],
  'e.gusev': ['ЮЗАО', 'ЗАО'], 'i.yakovlev': ['ЦАО', 'ЮАО'] };
const OPERATORS = ['m.popova', 'a.sidorova', 'g.ivanova'];

// The catalogue as the preset loads it (POST /api/products bodies), and an order's lines with their sum.
function eshopCatalogue() {
  return [
    ...ESHOP_PRODUCTS.map(([code, name, price]) => ({ code, name, unit: 'шт', price: money(price) })),
    ...ESHOP_PARTS.map(([code, name, unit, price]) => ({ code, name, unit, price: money(price) })),
    ...ESHOP_SERVICES.map(([code, name, unit, price]) => ({ code, name, unit, price: money(price) })),
  ];
}

export function eshop() {
  const r = rng(20240502), ref = counter();
  const contacts = [], deals = [];
  const products = eshopCatalogue();
  const priceOf = Object.fromEntries(products.map((p) => [p.code, p.price]));
  const plan = [['new', 7], ['no_answer', 5], ['confirmed', 6], ['accepted', 6], ['rescheduled', 4], ['done', 9], ['cancelled', 3]]
    .flatMap(([s, n]) => Array(n).fill(s));
  const masterOf = (zone) => Object.keys(MASTER_ZONES).find((m) => MASTER_ZONES[m].includes(zone));
  let number = 24100;
  for (const stage of r.shuffle(plan)) {
    const [code, product, , category, landing, service] = r.pick(ESHOP_PRODUCTS);
    const p = person(r), place = moscowPlace(r), op = r.pick(OPERATORS);
    const utm = { utm_source: r.weighted([['yandex', 6], ['google', 2], ['vk', 1]]), utm_medium: 'cpc',
      utm_campaign: `${landing}_msk`, utm_content: code };
    const early = stage === 'new' || stage === 'no_answer';
    const known = !early || r.chance(0.3); // the address is filled in when the operator confirms
    const ct = { ref: ref('ct'), name: p.name, phones: [phone(r)], owner: op, city: place.city, region: place.region,
      source: ESHOP_LANDINGS[landing], ...utm };
    if (r.chance(0.45)) ct.emails = [personalEmail(r, p)];
    if (known) Object.assign(ct, { address: place.address, district: place.district });
    contacts.push(ct);
    const withInstall = r.chance(0.85);
    const qty = category === 'Смесители' && r.chance(0.25) ? 2 : 1;
    // the order's lines: the goods, the installation (delivery included) or the delivery, and what the master adds
    const items = [{ code, qty }];
    if (withInstall) {
      items.push({ code: service, qty });
      const part = ESHOP_PARTS.find((x) => x[4] === category);
      if (part && r.chance(0.4)) items.push({ code: part[0], qty: 1 });
      if (r.chance(0.2)) items.push({ code: 'SRV-DISM', qty: 1 });
    } else {
      items.push({ code: place.city === 'Москва' ? 'DLV-MSK' : 'DLV-MO', qty: 1 });
    }
    const amount = items.reduce((sum, x) => sum + priceOf[x.code] * x.qty, 0);
    const d = { ref: ref('d'), title: `Заказ №${number++}: ${product}${qty > 1 ? ` × ${qty}` : ''}${withInstall ? ' + монтаж' : ''}`,
      pipeline: 'orders', stage, contact_ref: ct.ref, amount, currency: 'RUB', items,
      category, city: place.city, region: place.region, source: ESHOP_LANDINGS[landing], ...utm };
    if (known) Object.assign(d, { address: place.address, district: place.district });
    d.owner = ['confirmed', 'accepted', 'rescheduled', 'done'].includes(stage) ? masterOf(place.zone) : op;
    const notes = {
      new: ['Заказ с лендинга, ещё не звонили', 'Пришёл ночью, перезвонить утром', 'Клиент просит перезвонить после 18:00', null],
      no_answer: ['Не берёт трубку, 2 попытки', 'Абонент недоступен, отправлено SMS', 'Сбрасывает, попробовать с другого номера'],
      confirmed: ['Подтверждено, ждём выезда мастера', 'Нужен демонтаж старого оборудования', '9 этаж, лифт есть', null],
      accepted: ['Мастер приедет завтра с 10:00 до 12:00', 'Мастер везёт товар со склада', null],
      rescheduled: ['Клиент уехал на дачу, просит на следующей неделе', 'Нет доступа к стояку, ждут управляющую компанию',
        'Перенос по просьбе клиента на субботу'],
      done: ['Установлено, клиент доволен', 'Установлено, забрали старый бойлер', null],
      cancelled: ['Отмена: купили в другом месте', 'Отмена: не устроила стоимость монтажа', 'Отмена: передумали'],
    }[stage];
    const note = r.pick(notes);
    if (note) d.notes = note;
    deals.push(d);
  }
  return { products, companies: [], contacts, deals };
}

// ---- logistics: a freight forwarder's request pool ----

// [city, UTC offset]; "eastern" = east of GMT+5
const ROUTE_CITIES = [['Москва', 3], ['Санкт-Петербург', 3], ['Нижний Новгород', 3], ['Казань', 3], ['Краснодар', 3],
  ['Ростов-на-Дону', 3], ['Воронеж', 3], ['Самара', 4], ['Екатеринбург', 5], ['Челябинск', 5], ['Тюмень', 5],
  ['Пермь', 5], ['Уфа', 5], ['Омск', 6], ['Новосибирск', 7], ['Красноярск', 7], ['Барнаул', 7], ['Кемерово', 7],
  ['Томск', 7], ['Новокузнецк', 7], ['Иркутск', 8], ['Улан-Удэ', 8], ['Чита', 9], ['Якутск', 9], ['Хабаровск', 10],
  ['Владивосток', 10]];
const EAST = ROUTE_CITIES.filter(([, tz]) => tz > 5).map(([c]) => c);
const WEST = ROUTE_CITIES.filter(([, tz]) => tz <= 5).map(([c]) => c);
const CARGO = ['Оборудование на паллетах', 'Стройматериалы', 'Мебель в упаковке', 'Запчасти', 'Продукты (сухие)',
  'Бытовая техника', 'Трубы ПНД', 'Металлопрокат', 'Текстиль в коробах', 'Автошины', 'Кабельная продукция', 'Пиломатериалы'];
const MANAGERS = ['a.alekseev', 'm.baranova', 'v.vinogradov', 'o.gerasimova', 'd.dmitriev', 'e.ershova', 's.zhukov',
  'i.zueva', 'i.ilyin', 'k.kovalev', 'a.lazareva', 'm.markov', 'n.nazarova', 'a.osipov', 'p.petrova', 'r.rodionov',
  's.stepanova', 'g.timofeev', 'v.ulyanova', 'f.filippov', 'r.khasanov', 'e.tsareva', 'v.chernov', 'l.sharova',
  'e.emirov', 'ya.yakovleva'];

function kg(n) {
  return n.toLocaleString('ru-RU').replace(/\u00a0/g, ' ');
}

export function logistics() {
  const r = rng(20240503), ref = counter();
  const contacts = [], deals = [];
  function route(kind) {
    if (kind === 'east') {
      const a = r.pick(EAST);
      let b;
      do b = r.pick(EAST); while (b === a);
      return [a, b];
    }
    if (kind === 'one_east') return r.chance(0.5) ? [r.pick(WEST), r.pick(EAST)] : [r.pick(EAST), r.pick(WEST)];
    const a = r.pick(WEST);
    let b;
    do b = r.pick(WEST); while (b === a);
    return [a, b];
  }
  function request(stage, kind, weight, owner = null, extra = {}) {
    const p = person(r);
    const ct = { ref: ref('ct'), name: p.first + (r.chance(0.4) ? ` ${p.surname}` : ''), phones: [phone(r)] };
    if (owner) ct.owner = owner;
    const utm = r.chance(0.8) ? { utm_source: r.weighted([['yandex', 7], ['google', 3]]), utm_medium: 'cpc' } : { utm_source: 'organic' };
    if (kind === 'callback') {
      ct.source = 'Сайт: обратный звонок';
      contacts.push(ct);
      deals.push({ ref: ref('d'), title: `Обратный звонок: ${ct.name}`, pipeline: extra.pipeline || 'requests', stage, contact_ref: ct.ref,
        ...(owner ? { owner } : {}), source: 'Сайт: обратный звонок', ...utm, utm_campaign: 'callback',
        notes: 'Форма обратного звонка: только имя и телефон', ...extra.fields });
      return;
    }
    const [from, to] = route(kind);
    const volume = Math.max(1, Math.round(weight / r.int(180, 320)));
    if (r.chance(0.35)) ct.emails = [personalEmail(r, p)];
    ct.source = 'Сайт: форма расчёта';
    ct.city = from;
    contacts.push(ct);
    const cargo = r.pick(CARGO);
    deals.push({ ref: ref('d'), title: `${from} → ${to} · ${kg(weight)} кг · ${volume} м³`, pipeline: extra.pipeline || 'requests', stage,
      contact_ref: ct.ref, ...(owner ? { owner } : {}), city: from, category: cargo, source: 'Сайт: форма расчёта', ...utm,
      utm_campaign: `gruzoperevozki_${translit(from).slice(0, 12)}`, utm_term: `грузоперевозки ${from.toLowerCase()} ${to.toLowerCase()}`,
      notes: `Откуда: ${from}\nКуда: ${to}\nВес: ${kg(weight)} кг\nОбъём: ${volume} м³\nГруз: ${cargo}`, ...extra.fields });
  }
  const w = (lo, hi, step) => round(r.int(lo, hi), step);
  // the pool: every tier of the time-of-day ranking is represented
  for (let i = 0; i < 6; i++) request('pool', 'east', w(1000, 20000, 100));
  for (let i = 0; i < 8; i++) request('pool', 'west', w(1000, 20000, 100));
  for (let i = 0; i < 4; i++) request('pool', 'one_east', w(1000, 18000, 100));
  for (let i = 0; i < 3; i++) request('pool', 'east', w(310, 990, 10));
  for (let i = 0; i < 4; i++) request('pool', 'one_east', w(310, 990, 10));
  for (let i = 0; i < 4; i++) request('pool', 'west', w(310, 990, 10));
  for (let i = 0; i < 6; i++) request('pool', r.pick(['west', 'west', 'one_east']), w(100, 300, 5));
  for (let i = 0; i < 2; i++) request('pool', 'west', w(21000, 26000, 500));
  for (let i = 0; i < 5; i++) request('pool', 'callback', 0);
  // triaged by a supervisor
  request('not_suitable', 'west', 150, null, { fields: { notes: 'Не подходит: переезд квартиры, нужны грузчики' } });
  request('not_suitable', 'west', 120, null, { fields: { notes: 'Не подходит: нужна перевозка пассажиров' } });
  request('not_suitable', 'one_east', 400, null, { fields: { notes: 'Не подходит: опасный груз (класс 3)' } });
  request('not_suitable', 'callback', 0, null, { fields: { notes: 'Не подходит: номер не существует' } });
  // small requests nobody took: closed by the two-day rule
  for (let i = 0; i < 3; i++) request('not_realized', 'west', w(100, 195, 5), null,
    { fields: { notes: 'Закрыто автоматически: вес до 200 кг, не взята за 2 дня' } });
  // the managers' working pipeline
  const work = [['taken', 5], ['contacted', 5], ['quoted', 5], ['agreed', 3], ['in_transit', 3], ['won', 6], ['lost', 4]];
  let m = 0;
  for (const [stage, n] of work) {
    for (let i = 0; i < n; i++) {
      const kind = r.pick(['east', 'west', 'one_east', 'west']);
      const weight = r.chance(0.7) ? w(1000, 20000, 100) : w(300, 990, 10);
      const owner = MANAGERS[(m++ * 7) % MANAGERS.length];
      const fields = {};
      if (['quoted', 'agreed', 'in_transit', 'won'].includes(stage)) {
        fields.amount = money(round(weight * r.int(8, 22) + 12000, 500));
        fields.currency = 'RUB';
      }
      if (stage === 'lost') fields.notes = r.pick(['Клиент выбрал другого перевозчика: дешевле на 10%', 'Груз не готов, отгрузка отменена',
        'Не устроили сроки доставки', 'Не вышел на связь после расчёта']);
      request(stage, kind, weight, owner, { pipeline: 'freight', fields });
    }
  }
  return { companies: [], contacts, deals };
}

// ---- cleaning: a cleaning and dry-cleaning company ----

// the price list: [name, category, unit, price ₽, usual quantity, code]
const CLEANING_WORKS = [
  ['Генеральная уборка квартиры', 'Уборка', 'м²', 160, [35, 120], 'CL-GEN'],
  ['Поддерживающая уборка', 'Уборка', 'м²', 85, [30, 100], 'CL-REG'],
  ['Уборка после ремонта', 'Уборка', 'м²', 230, [40, 140], 'CL-REPAIR'],
  ['Мойка окон', 'Уборка', 'створка', 450, [4, 16], 'CL-WIN'],
  ['Уборка офиса', 'Уборка', 'м²', 65, [80, 400], 'CL-OFFICE'],
  ['Химчистка дивана', 'Химчистка', 'пос. место', 1100, [2, 5], 'DC-SOFA'],
  ['Химчистка ковра', 'Химчистка', 'м²', 380, [4, 20], 'DC-CARPET'],
  ['Химчистка матраса', 'Химчистка', 'шт', 3200, [1, 2], 'DC-MATTR'],
  ['Химчистка кресел', 'Химчистка', 'шт', 1500, [1, 4], 'DC-CHAIR'],
  ['Химчистка стульев', 'Химчистка', 'шт', 450, [4, 12], 'DC-STOOL'],
];
// the calculator's modifiers and minimum order, as lines of their own (SCENARIOS.md §1)
const CLEANING_EXTRAS = [['CL-URGENT', 'Срочный выезд (+30% к работам)', 0.3], ['CL-DIRT', 'Сильное загрязнение (+20% к работам)', 0.2]];
const CLEANING_MIN_ORDER = 3500;
const CLEANING_SOURCES = [
  [{ source: 'Яндекс Директ', utm_source: 'yandex', utm_medium: 'cpc', utm_campaign: 'uborka_msk' }, 8],
  [{ source: 'Яндекс Директ', utm_source: 'yandex', utm_medium: 'cpc', utm_campaign: 'himchistka_mebeli' }, 5],
  [{ source: 'Google Ads', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'cleaning_search' }, 3],
  [{ source: 'Авито', utm_source: 'avito', utm_medium: 'classified' }, 4],
  [{ source: 'Сайт (поиск)', utm_source: 'yandex', utm_medium: 'organic' }, 4],
  [{ source: 'ВКонтакте', utm_source: 'vk', utm_medium: 'social', utm_campaign: 'vesna_skidka' }, 2],
  [{ source: 'Рекомендация' }, 3],
  [{ source: 'Повторный клиент' }, 2],
];
const CLEANERS = ['Павлова Н. П.', 'Егоров С. Н.', 'Фёдорова Л. И.', 'Каримов Р. И.'];
const DRY_CLEANERS = ['Белов В. А.', 'Орлова Т. М.'];
const CLEANING_MANAGERS = ['a.morozova', 'd.kuznetsov', 'e.volkova'];

export function cleaning() {
  const r = rng(20240504), ref = counter();
  const companies = [], contacts = [], deals = [];
  const offices = [
    ['ООО «Северная Звезда»', 'Бизнес-центр', 'САО'], ['ООО «Медиа Проект»', 'Офис', 'ЦАО'], ['ИП Кравченко Ольга Андреевна', 'Салон красоты', 'ЮЗАО'],
  ];
  const clients = [];
  for (const [name, category, district] of offices) {
    const place = moscowPlace(r, district), owner = r.pick(CLEANING_MANAGERS);
    const co = { ref: ref('co'), name, owner, category, customer_type: 'Юридическое лицо', city: place.city, region: place.region,
      district, address: place.address.replace(/, кв\. \d+$/, `, оф. ${r.int(1, 40)}`), phones: [formatPhone(r, '495' + r.digits(7))] };
    companies.push(co);
    const p = person(r);
    const ct = { ref: ref('ct'), name: p.name, company_ref: co.ref, position: r.pick(['Офис-менеджер', 'Администратор', 'Управляющий']),
      phones: [phone(r)], emails: [personalEmail(r, p)], owner };
    contacts.push(ct);
    clients.push({ ct, co, place: { ...place, address: co.address }, office: true });
  }
  for (let i = 0; i < 28; i++) {
    const p = person(r, { female: r.chance(0.7) }), place = moscowPlace(r), owner = r.pick(CLEANING_MANAGERS);
    const src = r.weighted(CLEANING_SOURCES);
    const ct = { ref: ref('ct'), name: p.name, phones: [phone(r)], owner, city: place.city, region: place.region,
      district: place.district, address: place.address, customer_type: 'Частное лицо', ...src };
    if (r.chance(0.4)) ct.emails = [personalEmail(r, p)];
    if (r.chance(0.3)) ct.messengers = { whatsapp: ct.phones[0] };
    if (r.chance(0.25)) ct.notes = r.pick(['Есть кошка; средства без хлора', 'Ключи у консьержа', 'Звонить только после 12:00',
      'Просит одну и ту же бригаду', 'Нужен чек для бухгалтерии']);
    contacts.push(ct);
    clients.push({ ct, place, src });
  }
  const plan = [['new', 5], ['calculated', 5], ['scheduled', 6], ['in_work', 3], ['done', 14], ['lost', 4]]
    .flatMap(([s, n]) => Array(n).fill(s));
  let number = 5120;
  for (const [i, stage] of r.shuffle(plan).entries()) {
    const c = clients[i % clients.length];
    const works = c.office ? [CLEANING_WORKS[4]] : r.chance(0.25) ? [r.pick(CLEANING_WORKS.slice(0, 4)), r.pick(CLEANING_WORKS.slice(5))]
      : [r.pick(CLEANING_WORKS.filter((x) => x[0] !== 'Уборка офиса'))];
    let base = 0;
    const items = works.map(([, , , price, [lo, hi], code]) => {
      const qty = r.int(lo, hi);
      base += qty * price;
      return { code, qty };
    });
    const urgent = r.chance(0.15), dirty = r.chance(0.2);
    // a modifier is a line priced at its share of the works, so the sum of the lines is the order's amount
    for (const [code, , share] of CLEANING_EXTRAS.filter((x) => (x[0] === 'CL-URGENT' && urgent) || (x[0] === 'CL-DIRT' && dirty)))
      items.push({ code, qty: 1, price: money(round(base * share, 10)) });
    let sum = base + items.slice(works.length).reduce((a, x) => a + x.price / 100, 0);
    if (sum < CLEANING_MIN_ORDER) {
      items.push({ code: 'CL-MIN', qty: 1, price: money(CLEANING_MIN_ORDER - sum) });
      sum = CLEANING_MIN_ORDER;
    }
    const category = works.some((w) => w[1] === 'Химчистка') ? (works.some((w) => w[1] === 'Уборка') ? 'Уборка и химчистка' : 'Химчистка') : 'Уборка';
    const title = `№${number++}: ${works.map((w) => w[0]).join(' + ')}`;
    const src = c.src || { source: 'Повторный клиент' };
    const d = { ref: ref('d'), title, pipeline: 'orders', stage, contact_ref: c.ct.ref, owner: c.ct.owner, category,
      city: c.place.city, region: c.place.region, district: c.place.district, ...src };
    if (c.co) d.company_ref = c.co.ref;
    if (stage !== 'new') Object.assign(d, { amount: money(sum), currency: 'RUB', items, address: c.place.address });
    const crew = category === 'Химчистка' ? [r.pick(DRY_CLEANERS)] : category === 'Уборка'
      ? r.shuffle(CLEANERS).slice(0, r.int(1, 3)) : [r.pick(CLEANERS), r.pick(DRY_CLEANERS)];
    const mods = [urgent && 'срочно +30%', dirty && 'сильное загрязнение +20%'].filter(Boolean);
    const notes = [];
    if (stage === 'new') notes.push(`Запрос: ${works.map((w) => w[0].toLowerCase()).join(', ')}; нужен расчёт`);
    else if (mods.length) notes.push(`Наценки: ${mods.join(', ')}`);
    if (['scheduled', 'in_work', 'done'].includes(stage)) notes.push(`Бригада: ${crew.join(', ')}`);
    if (stage === 'lost') notes.push(r.pick(['Отказ: дорого', 'Отказ: нашли исполнителя дешевле', 'Отказ: не подошла дата']));
    if (notes.length) d.notes = notes.join('\n');
    deals.push(d);
  }
  const products = [...CLEANING_WORKS.map(([name, , unit, price, , code]) => ({ code, name, unit, price: money(price) })),
    ...CLEANING_EXTRAS.map(([code, name]) => ({ code, name, unit: 'услуга', price: 0 })),
    { code: 'CL-MIN', name: `Доплата до минимального заказа (${CLEANING_MIN_ORDER} ₽)`, unit: 'услуга', price: 0 }];
  return { products, companies, contacts, deals };
}

// ---- b2c: a retail online shop of home goods ----

// [name, price ₽, category, code]
const B2C_PRODUCTS = [['Плед из шерсти мериноса 140×200', 5990, 'Текстиль', 'TX-PLAID-MR'],
  ['Комплект постельного белья, сатин, евро', 7490, 'Текстиль', 'TX-BED-SAT-E'],
  ['Набор тарелок, 18 предметов', 4290, 'Посуда', 'KT-PLATES-18'], ['Свеча ароматическая «Инжир»', 1290, 'Декор', 'DC-CANDLE-FIG'],
  ['Ваза керамическая ручной работы', 2850, 'Декор', 'DC-VASE-CER'], ['Полотенца махровые, набор из 3', 2390, 'Текстиль', 'TX-TOWEL-3'],
  ['Скатерть льняная 150×220', 3190, 'Текстиль', 'TX-CLOTH-LIN'], ['Подушка декоративная 45×45', 1490, 'Декор', 'DC-PILLOW-45'],
  ['Кофейная пара, фарфор', 1890, 'Посуда', 'KT-COFFEE-2'], ['Ковёр хлопковый 120×180', 6900, 'Текстиль', 'TX-RUG-120'],
  ['Бокалы для вина, 4 шт.', 2590, 'Посуда', 'KT-WINE-4'], ['Корзина плетёная для белья', 2190, 'Декор', 'DC-BASKET']];
const B2C_DELIVERY = [['DLV-COURIER', 'Доставка курьером по Москве', 390], ['DLV-CDEK', 'Доставка СДЭК по России', 590]];
const B2C_MANAGERS = ['d.antonova', 'k.belyaev', 'v.medvedeva'];
const B2C_TYPES = [['Розничный покупатель', 10], ['Постоянный покупатель', 5], ['VIP', 1], ['Дизайнер интерьера', 1]];
const B2C_SOURCES = [[{ source: 'Интернет-магазин', utm_source: 'yandex', utm_medium: 'cpc', utm_campaign: 'home_textile' }, 6],
  [{ source: 'Интернет-магазин', utm_source: 'google', utm_medium: 'organic' }, 3],
  [{ source: 'ВКонтакте', utm_source: 'vk', utm_medium: 'social' }, 3], [{ source: 'Telegram-канал', utm_source: 'telegram' }, 2],
  [{ source: 'Яндекс Маркет', utm_source: 'market' }, 2], [{ source: 'Рекомендация' }, 1]];
const INDEXES = { 'Москва': '1', 'Санкт-Петербург': '19', 'Казань': '420', 'Екатеринбург': '620', 'Новосибирск': '630',
  'Нижний Новгород': '603', 'Краснодар': '350', 'Воронеж': '394', 'Самара': '443' };

export function b2c() {
  const r = rng(20240505), ref = counter();
  const contacts = [], deals = [];
  const customers = [];
  for (let i = 0; i < 40; i++) {
    const p = person(r, { female: r.chance(0.72) });
    const city = r.weighted(Object.keys(INDEXES).map((c) => [c, c === 'Москва' ? 12 : c === 'Санкт-Петербург' ? 5 : 1]));
    const cityRow = CITIES.find((c) => c.name === city);
    const idx = city === 'Москва' ? `1${String(r.int(1, 29)).padStart(2, '0')}${r.digits(3)}` // 101000–129999
      : INDEXES[city] + r.digits(6 - INDEXES[city].length);
    const street = r.pick(['ул. Садовая', 'ул. Лесная', 'Ленинский пр-т', 'ул. Пушкина', 'ул. Гагарина', 'ул. Мира', 'Невский пр-т',
      'ул. Профсоюзная', 'ул. Строителей', 'ул. Кирова']);
    const owner = B2C_MANAGERS[i % 3];
    const src = r.weighted(B2C_SOURCES);
    const ct = { ref: ref('ct'), name: p.name, phones: [phone(r)], emails: [personalEmail(r, p)], owner,
      address: `${idx}, г. ${city}, ${street}, д. ${r.int(1, 150)}, кв. ${r.int(1, 300)}`, city, region: cityRow.region,
      birthday: day(r, 1958, 2003), customer_type: r.weighted(B2C_TYPES), category: r.pick(['Текстиль', 'Посуда', 'Декор']), ...src };
    if (r.chance(0.2)) ct.phones.push(phone(r));
    const m = {};
    if (r.chance(0.6)) m.telegram = `@${translit(p.first).slice(0, 5)}_${translit(p.surname).slice(0, 8)}`;
    if (r.chance(0.4)) m.whatsapp = ct.phones[0];
    if (r.chance(0.35)) m.vk = `vk.com/${translit(p.first)}.${translit(p.surname)}`;
    if (Object.keys(m).length) ct.messengers = m;
    if (r.chance(0.35)) ct.notes = r.pick(['Предпочитает доставку после 19:00', 'Дарит подарки к праздникам — напоминать за две недели',
      'Аллергия на шерсть, предлагать хлопок и лён', 'Просила сообщать о распродажах в Telegram', 'Оплата только картой курьеру',
      'Постоянная скидка 5%', 'Заказывает для загородного дома']);
    contacts.push(ct);
    customers.push(ct);
  }
  const plan = [['new', 6], ['confirmed', 6], ['paid', 5], ['shipped', 6], ['delivered', 17], ['cancelled', 4]]
    .flatMap(([s, n]) => Array(n).fill(s));
  let number = 10440, unassigned = 0;
  for (const [i, stage] of r.shuffle(plan).entries()) {
    const c = customers[(i * 7) % customers.length];
    const goods = r.shuffle(B2C_PRODUCTS).slice(0, r.weighted([[1, 5], [2, 4], [3, 2]]));
    const discount = c.customer_type === 'Постоянный покупатель' ? 0.05 : c.customer_type === 'VIP' ? 0.1 : 0;
    // a customer's discount is in the line's price, as an order editor sets it
    const items = goods.map(([, price, , code]) => ({ code, qty: 1, ...(discount ? { price: money(round(price * (1 - discount), 10)) } : {}) }));
    let sum = goods.reduce((a, [, price]) => a + round(price * (1 - discount), 10), 0);
    const delivery = c.city === 'Москва' ? (sum >= 5000 ? 0 : 390) : 590;
    if (delivery) items.push({ code: c.city === 'Москва' ? 'DLV-COURIER' : 'DLV-CDEK', qty: 1 });
    sum += delivery;
    const d = { ref: ref('d'), title: `Заказ ИМ-${number++}: ${goods.map(([n]) => n).join('; ')}`, pipeline: 'orders', stage,
      contact_ref: c.ref, owner: c.owner, amount: money(sum), currency: 'RUB', items, category: goods[0][2], address: c.address,
      city: c.city, region: c.region, source: 'Интернет-магазин' };
    for (const k of ['utm_source', 'utm_medium', 'utm_campaign']) if (c[k]) d[k] = c[k];
    const notes = [`Доставка: ${delivery ? `${delivery} ₽` : 'бесплатно'}${discount ? `; скидка ${discount * 100}% (${c.customer_type.toLowerCase()})` : ''}`];
    if (stage === 'new' && unassigned < 3) {
      delete d.owner; // arrived outside office hours: nobody present, left for the admin to hand out
      unassigned++;
      notes.push('Поступил ночью, менеджер не назначен');
    }
    if (stage === 'shipped') notes.push(r.pick(['Курьер: Ахмедов Т. Р.', 'Курьер: Комаров С. В.', 'Отправлено СДЭК, трек-номер в письме']));
    if (stage === 'cancelled') notes.push(r.pick(['Отмена: не дозвонились три дня', 'Отмена: клиент передумал', 'Отмена: нет в наличии цвета']));
    if (stage === 'confirmed' && r.chance(0.5)) notes.push('Купон VESNA10 применён');
    d.notes = notes.join('\n');
    deals.push(d);
  }
  // web-form leads, worked like deals in their own pipeline
  const leads = [['new', 'Подобрать шторы и покрывало в спальню'], ['new', 'Нужен подарок коллеге до 3 000 ₽'],
    ['in_work', 'Оптовый заказ пледов для кафе, 20 шт.'], ['in_work', 'Сервиз на 12 персон к юбилею'],
    ['converted', 'Текстиль для загородного дома'], ['junk', 'Реклама SEO-услуг']];
  for (const [i, [stage, what]] of leads.entries()) {
    const p = person(r, { female: r.chance(0.7) });
    const owner = B2C_MANAGERS[i % 3];
    const ct = { ref: ref('ct'), name: stage === 'junk' ? 'SEO Продвижение' : p.name, phones: [phone(r)], owner, source: 'Форма на сайте' };
    if (stage !== 'junk') ct.emails = [personalEmail(r, p)];
    contacts.push(ct);
    deals.push({ ref: ref('d'), title: `Заявка с сайта: ${what}`, pipeline: 'leads', stage, contact_ref: ct.ref, owner,
      source: 'Форма на сайте', utm_source: r.pick(['yandex', 'google', 'vk']), notes: `Текст формы: «${what}»` });
  }
  const products = [...B2C_PRODUCTS.map(([name, price, , code]) => ({ code, name, unit: 'шт', price: money(price) })),
    ...B2C_DELIVERY.map(([code, name, price]) => ({ code, name, unit: 'услуга', price: money(price) }))];
  return { products, companies: [], contacts, deals };
}
