// dealers: a wholesaler of electrical goods and lighting recruiting resellers across Russia.
// Companies in the company pipeline "dealers" (lead → firm → account → client, dead end), their
// people, spread over two lead creators and five agents, plus deliberate near-duplicates.
import {
  rng, person, translit, personalEmail, workEmail, CITIES, address, formatPhone, mobile, landline,
  innLegal, innPerson,
} from './lib.mjs';

const LEAD_CREATORS = [['k.lebedeva', 33], ['m.zaitsev', 27]];
const AGENTS = [['i.smirnov', 13], ['y.nikitina', 11], ['p.romanov', 10], ['o.kiseleva', 9], ['a.tarasov', 7]];

const ROOTS = ['Электро', 'Энерго', 'Свето', 'Вольт', 'Кабель', 'Техно', 'Ампер', 'Люкс', 'Луч', 'Прибор',
  'Электрон', 'Монтаж', 'Свет', 'Энергия', 'Ток'];
const SUFFIXES = ['снаб', 'торг', 'сервис', 'маркет', 'комплект', 'пром', 'систем', 'опт', 'центр', 'мир',
  'лайн', 'трейд', 'стандарт', 'профи', 'ресурс', 'техника', 'снабжение', 'инвест', 'тех', 'строй'];
// regional prefixes by the city's UTC offset, so a Siberian name is not given to a shop in Kaluga
const REGIONS = { 2: ['Балт', 'Янтарь'], 3: ['Волга', 'Дон', 'Кубань', 'Ока', 'Нева', 'Север', 'Юг', 'Вятка', 'Центр'],
  4: ['Волга', 'Кама'], 5: ['Урал', 'Кама'], 6: ['Сиб', 'Иртыш'], 7: ['Сиб', 'Алтай', 'Енисей', 'Кузбасс'],
  8: ['Байкал', 'Ангара'], 10: ['Амур', 'Приморье', 'Восток'] };
const WHOLE = ['Фаза', 'Ноль и Фаза', 'Искра', 'Каскад', 'Проводник', 'Розетка', 'Мир Света', 'Светлый Дом',
  'Выключатель', 'Домашний Электрик', '220 Вольт', 'Эра Света', 'Огонёк', 'Полюс', 'Меридиан', 'Гефест',
  'Альтаир', 'Вектор', 'Орион', 'Маяк', 'Спектр', 'Форвард', 'Импульс', 'Квант', 'Резонанс', 'Позитрон',
  'Лампа и Люстра', 'Светлица', 'Электрик Плюс', 'Мастер Света', 'Контакт', 'Клемма', 'Щиток', 'Патрон',
  'Люмен', 'Ватт', 'Джоуль', 'Генератор', 'Трансформатор', 'Сфера', 'Горизонт', 'Азимут', 'Зенит', 'Аврора',
  'Северное Сияние', 'Дом и Свет', 'Всё для Дома', 'Хозяин', 'Строймаркет', 'Стройдвор', 'Мастерок'];
const TAILS = [' Плюс', '-М', ' Групп', '-Сервис', ' Про', '-Центр', ' Трейд', '-Опт', ' Регион'];

const CATEGORIES = [['Магазин электротоваров', 30], ['Строительный магазин', 18], ['Интернет-магазин', 14],
  ['Электромонтажная организация', 14], ['Магазин светотехники', 10], ['Сеть магазинов', 6],
  ['Оптовая база', 5], ['Хозяйственный магазин', 8]];
const SIZES = [['Малый', 6], ['Средний', 3], ['Крупный', 1]];
const LC_SOURCES = [['2ГИС', 10], ['Яндекс Карты', 6], ['Выставка «Интерсвет»', 3], ['Сайт компании', 4],
  ['Реестр ФНС', 2], ['Avito', 2], ['Рекомендация клиента', 1]];
const AGENT_SOURCES = [['2ГИС', 6], ['Входящий звонок', 4], ['Заявка с сайта', 4], ['Рекомендация клиента', 3],
  ['Выставка «Интерсвет»', 2], ['Холодный звонок', 3]];
const POSITIONS = [['Директор', 10], ['Генеральный директор', 6], ['Коммерческий директор', 5], ['Владелец', 4],
  ['Менеджер по закупкам', 12], ['Руководитель отдела закупок', 5], ['Главный бухгалтер', 4], ['Бухгалтер', 3],
  ['Заместитель директора', 3], ['Товаровед', 3], ['Снабженец', 3], ['Главный инженер', 2],
  ['Управляющий магазином', 3], ['Менеджер интернет-магазина', 2]];
const FIRM_NOTES = ['Просили прайс на светодиодные панели и ленту', 'Работают с ЭТМ, недовольны сроками поставки',
  'Интересует кабель ВВГнг-LS, объём около 2 км в месяц', 'Перезвонить после 15-го: директор в отпуске',
  'Отправлен прайс и каталог, ждём обратную связь', 'Нужна отсрочка платежа 30 дней',
  'Интересна выгрузка остатков по API для их интернет-магазина', 'Запросили образцы: автоматы и УЗО',
  'Хотят эксклюзив на область — обсудить с руководством', 'Сравнивают наши цены с «Русским Светом»',
  'Готовы взять пробную партию после выставки', 'Закупщик меняется, новый выйдет через две недели',
  'Просят доставку до склада за наш счёт от 150 000 ₽', 'Смотрят на уличное освещение под муниципальные закупки'];
const CLIENT_NOTES = ['Работает по API: остатки и цены выгружаются каждую ночь', 'Прайс-лист вручную раз в неделю',
  'Оборот около 1,2 млн ₽ в месяц, растёт', 'Первый заказ на 340 000 ₽ отгружен', 'Отсрочка 14 дней, лимит 500 000 ₽',
  'Заказывают в основном кабель и автоматику', 'Выложили наш ассортимент на свой сайт', 'Берут светотехнику под объекты'];
const DEAD_NOTES = ['Отказ: работают напрямую с заводом', 'Отказ: не устроила минимальная партия',
  'Компания закрылась', 'Не наш профиль: сантехника', 'Отказ: нет своего склада', 'Не выходит на связь три месяца',
  'Отказ: эксклюзив с другим поставщиком', 'Отказ: цены выше, чем у конкурентов'];
const COMPANY_MAILBOXES = ['info', 'zakaz', 'opt', 'sales', 'office', 'snab', 'mail', 'shop'];

export function dealers() {
  const r = rng(20240501);
  const usedNames = new Set(), usedDomains = new Set();
  const companies = [], contacts = [];

  function brand(city) {
    for (;;) {
      const kind = r.weighted([['root', 5], ['region', 3], ['whole', 4]]);
      let b;
      if (kind === 'root') {
        const root = r.pick(ROOTS), suf = r.pick(SUFFIXES);
        b = r.chance(0.35) ? root + suf[0].toUpperCase() + suf.slice(1) : (root + suf).replace(/^(.)(.*)$/, (m, a, c) => a + c.toLowerCase());
      } else if (kind === 'region') {
        b = r.pick(REGIONS[city.tz]) + r.pick(['электро', 'свет', 'энерго', 'кабель', 'электроснаб', 'светотехника', 'энергоснаб', 'электрокомплект']);
        if (r.chance(0.2)) b += r.pick(TAILS);
      } else {
        b = r.pick(WHOLE);
        if (r.chance(0.35)) b += r.pick(TAILS);
      }
      if (!usedNames.has(b.toLowerCase())) {
        usedNames.add(b.toLowerCase());
        return b;
      }
    }
  }

  function legalName(b, form) {
    if (form === 'АО') return r.chance(0.7) ? `АО «${b}»` : `АО "${b}"`;
    return r.weighted([[`ООО «${b}»`, 10], [`ООО "${b}"`, 6], [`${b}, ООО`, 2], [`ООО ${b}`, 2],
      [`ООО «Торговый дом «${b}»»`, 1], [`ТД «${b}»`, 1]]);
  }

  function domainFor(b, city) {
    let base = translit(b.replace(/ /g, ''));
    if (!base) base = 'shop';
    for (let i = 0; ; i++) {
      const tld = r.weighted([['ru', 85], ['com', 5], ['su', 3], ['net', 3], ['pro', 2], ['shop', 2]]);
      const d = i === 0 && r.chance(0.6) ? `${base}.${tld}` : i <= 1 ? `${base}-${city.slug}.${tld}`
        : `${base}${r.int(1, 99)}.${tld}`;
      if (!usedDomains.has(d)) {
        usedDomains.add(d);
        return d;
      }
    }
  }

  const counters = {};
  function ref(prefix) {
    counters[prefix] = (counters[prefix] || 0) + 1;
    return `${prefix}${counters[prefix]}`;
  }

  // One company. detail: 'lead' (what a lead creator finds), 'full' (worked by an agent)
  function company(owner, stage, detail, source) {
    const city = r.weighted(CITIES.map((c, i) => [c, i < 3 ? 10 : i < 20 ? 3 : 1.5]));
    const form = r.weighted([['ООО', 70], ['ИП', 20], ['АО', 7]]);
    let name, b, inn, boss = null;
    if (form === 'ИП') {
      boss = person(r);
      name = r.weighted([[`ИП ${boss.name}`, 6], [`ИП ${boss.surname} ${boss.first[0]}. ${boss.patronymic[0]}.`, 3],
        [`${boss.name} ИП`, 1]]);
      b = r.chance(0.5) ? brand(city) : null;
      inn = innPerson(r, city.inn);
    } else {
      b = brand(city);
      name = legalName(b, form);
      inn = innLegal(r, city.inn);
    }
    const c = { ref: ref('co'), name, pipeline: 'dealers', stage, owner, city: city.name, region: city.region };
    const domain = b && r.chance(form === 'ИП' ? 0.5 : 0.85) ? domainFor(b, city) : null;
    if (domain) {
      c.domain = domain;
      if (r.chance(0.6)) c.website = r.pick([`https://${domain}`, `www.${domain}`, `http://www.${domain}/`, `https://${domain}/`]);
    }
    if (detail === 'full' || r.chance(0.4)) c.inn = inn;
    if (detail === 'full' || r.chance(0.5)) c.address = address(r, { office: true });
    const phones = [];
    const n = r.weighted([[1, 6], [2, 3], [0, detail === 'lead' ? 1 : 0]]);
    for (let i = 0; i < n; i++) {
      const big = form !== 'ИП' && r.chance(0.08);
      const digits = big ? '800' + r.digits(7) : r.chance(0.75) ? landline(r, city) : mobile(r);
      let p = formatPhone(r, digits, big ? 3 : digits.startsWith('9') ? 3 : city.code.length);
      if (!big && r.chance(0.1)) p += r.pick([' доб. ', ', доб. ', ' доб.']) + r.int(100, 450);
      phones.push(p);
    }
    if (phones.length) c.phones = phones;
    if (domain ? r.chance(0.8) : r.chance(0.4)) {
      const p = boss || person(r);
      c.emails = [domain ? `${r.pick(COMPANY_MAILBOXES)}@${domain}` : personalEmail(r, p)];
    }
    c.category = r.weighted(CATEGORIES);
    if (detail === 'full') c.customer_type = r.weighted(SIZES);
    c.source = r.weighted(source);
    if (b && form === 'ИП') c.notes = `Магазин «${b}»`;
    return { c, city, domain, boss };
  }

  function contactFor(co, owner, boss) {
    const p = boss || person(r);
    const ct = { ref: ref('ct'), name: p.name, company_ref: co.c.ref, owner };
    ct.position = boss ? 'Индивидуальный предприниматель' : r.weighted(POSITIONS);
    const phones = [formatPhone(r, mobile(r))];
    if (co.c.phones && r.chance(0.25)) phones.push(co.c.phones[0].replace(/ ?,? ?доб\.? ?\d+$/, '') + ` доб. ${r.int(100, 450)}`);
    ct.phones = phones;
    if (r.chance(0.8)) ct.emails = [co.domain && r.chance(0.75) ? workEmail(r, p, co.domain) : personalEmail(r, p)];
    ct.city = co.city.name;
    if (r.chance(0.2)) ct.birthday = `${r.int(1962, 1996)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
    if (r.chance(0.25)) {
      const m = {};
      if (r.chance(0.7)) m.whatsapp = phones[0];
      if (r.chance(0.6)) m.telegram = '@' + translit(p.first).slice(0, 6) + '_' + translit(p.surname);
      if (Object.keys(m).length) ct.messengers = m;
    }
    return ct;
  }

  const agentPick = () => r.weighted(AGENTS);
  const plan = [];
  for (const [lc, n] of LEAD_CREATORS) for (let i = 0; i < n; i++) plan.push({ owner: lc, stage: 'lead', contacts: 0, lc: true });
  for (let i = 0; i < 70; i++) plan.push({ owner: agentPick(), stage: 'lead', contacts: 0 });
  for (let i = 0; i < 105; i++) plan.push({ owner: agentPick(), stage: 'lead', contacts: r.weighted([[1, 45], [2, 35], [3, 15], [4, 5]]) });
  for (let i = 0; i < 24; i++) plan.push({ owner: agentPick(), stage: 'client', contacts: r.weighted([[1, 2], [2, 5], [3, 3]]), client: true });
  for (let i = 0; i < 30; i++) plan.push({ owner: agentPick(), stage: 'dead_end', contacts: i < 14 ? 0 : 1, dead: true });

  for (const item of r.shuffle(plan)) {
    const full = item.contacts > 0 || item.client;
    const co = company(item.owner, item.stage, full ? 'full' : 'lead', item.lc ? LC_SOURCES : AGENT_SOURCES);
    if (item.client) co.c.notes = [co.c.notes, r.pick(CLIENT_NOTES)].filter(Boolean).join('. ');
    else if (item.dead) co.c.notes = [co.c.notes, r.pick(DEAD_NOTES)].filter(Boolean).join('. ');
    else if (item.contacts && r.chance(0.35)) co.c.notes = [co.c.notes, r.pick(FIRM_NOTES)].filter(Boolean).join('. ');
    if (!co.c.notes) delete co.c.notes;
    companies.push(co.c);
    for (let k = 0; k < item.contacts; k++) contacts.push(contactFor(co, item.owner, k === 0 ? co.boss : null));
  }

  // ---- near-duplicates for the lead creators' duplicate screen ----
  const D = (c) => { companies.push(c); return c; };
  const P = (c) => { contacts.push(c); return c; };
  const base = { pipeline: 'dealers', category: 'Магазин электротоваров' };

  // 1. the same name with and without the legal form and quotes
  D({ ...base, ref: 'dup_romashka', name: 'ООО "Ромашка"', stage: 'lead', owner: 'i.smirnov', city: 'Тула', region: 'Тульская область',
    inn: '7106512345', address: 'ул. Металлистов, д. 8, оф. 12', phones: ['+7 (4872) 31-20-45'], emails: ['info@romashka-tula.ru'],
    domain: 'romashka-tula.ru', customer_type: 'Малый', source: 'Входящий звонок' });
  P({ ref: 'dup_romashka_p', name: 'Гаврилова Нина Петровна', position: 'Директор', company_ref: 'dup_romashka', owner: 'i.smirnov',
    phones: ['8 910 555-23-17'], emails: ['n.gavrilova@romashka-tula.ru'], city: 'Тула' });
  D({ ...base, ref: 'dup_romashka2', name: '«Ромашка»', stage: 'lead', owner: 'k.lebedeva', city: 'Калуга', region: 'Калужская область',
    phones: ['8 (4842) 56-01-90'], source: '2ГИС' });
  // 2. the same office number written differently, a different brand
  D({ ...base, ref: 'dup_sibsvet', name: 'ООО «Сибирский Свет»', stage: 'lead', owner: 'y.nikitina', city: 'Новосибирск',
    region: 'Новосибирская область', phones: ['+7 (383) 214-55-90'], emails: ['opt@sibsvet54.ru'], domain: 'sibsvet54.ru',
    category: 'Магазин светотехники', customer_type: 'Средний', source: 'Выставка «Интерсвет»', inn: '5406123455' });
  P({ ref: 'dup_sibsvet_p', name: 'Шарипов Ринат Маратович', position: 'Коммерческий директор', company_ref: 'dup_sibsvet',
    owner: 'y.nikitina', phones: ['+7 913 901-44-28'], emails: ['sharipov@sibsvet54.ru'], city: 'Новосибирск' });
  D({ ...base, ref: 'dup_sibsvet2', name: 'СветоЦентр на Красном', stage: 'lead', owner: 'm.zaitsev', city: 'Новосибирск',
    region: 'Новосибирская область', phones: ['8 383 2145590'], source: '2ГИС' });
  // 3. the same web domain behind different names
  D({ ...base, ref: 'dup_elmir', name: 'ТД «Электромир»', stage: 'client', owner: 'o.kiseleva', city: 'Екатеринбург',
    region: 'Свердловская область', domain: 'elektromir-ural.ru', website: 'https://elektromir-ural.ru', inn: '6670234567',
    address: 'ул. Шефская, д. 2А, оф. 5', phones: ['8 (343) 287-15-40'], emails: ['zakaz@elektromir-ural.ru'],
    customer_type: 'Крупный', source: 'Рекомендация клиента', notes: 'Работает по API: остатки и цены выгружаются каждую ночь' });
  P({ ref: 'dup_elmir_p', name: 'Кочетков Эдуард Валерьевич', position: 'Руководитель отдела закупок', company_ref: 'dup_elmir',
    owner: 'o.kiseleva', phones: ['+7 922 118-40-07'], emails: ['kochetkov@elektromir-ural.ru'], city: 'Екатеринбург' });
  D({ ...base, ref: 'dup_elmir2', name: 'Электромир Урал ООО', stage: 'lead', owner: 'k.lebedeva', city: 'Екатеринбург',
    region: 'Свердловская область', website: 'http://www.elektromir-ural.ru/', domain: 'www.elektromir-ural.ru', source: 'Сайт компании' });
  // 4. one-letter typos
  D({ ...base, ref: 'dup_ek', name: 'ООО «Энергокомплект»', stage: 'lead', owner: 'p.romanov', city: 'Самара', region: 'Самарская область',
    phones: ['8 (846) 990-12-12'], emails: ['info@energokomplekt63.ru'], domain: 'energokomplekt63.ru', customer_type: 'Средний',
    source: 'Холодный звонок', inn: '6316234563' });
  P({ ref: 'dup_ek_p', name: 'Лысенко Олег Анатольевич', position: 'Директор', company_ref: 'dup_ek', owner: 'p.romanov',
    phones: ['+7 927 700-31-31'], city: 'Самара' });
  D({ ...base, ref: 'dup_ek2', name: 'ООО "Энергокомплек"', stage: 'lead', owner: 'k.lebedeva', city: 'Самара', region: 'Самарская область',
    phones: ['8 846 990 12 13'], source: '2ГИС' });
  D({ ...base, ref: 'dup_uks', name: 'АО «Уралкабельснаб»', stage: 'dead_end', owner: 'a.tarasov', city: 'Челябинск',
    region: 'Челябинская область', phones: ['+7 (351) 247-70-70'], category: 'Оптовая база', source: 'Холодный звонок',
    notes: 'Отказ: работают напрямую с заводом' });
  D({ ...base, ref: 'dup_uks2', name: 'АО Уралкабелснаб', stage: 'lead', owner: 'm.zaitsev', city: 'Челябинск',
    region: 'Челябинская область', category: 'Оптовая база', source: 'Реестр ФНС' });
  D({ ...base, ref: 'dup_pet', name: 'ООО «Промэлектроторг»', stage: 'lead', owner: 'i.smirnov', city: 'Воронеж',
    region: 'Воронежская область', phones: ['8 (473) 239-00-41'], source: 'Заявка с сайта' });
  P({ ref: 'dup_pet_p', name: 'Белоусов Сергей Петрович', position: 'Менеджер по закупкам', company_ref: 'dup_pet', owner: 'i.smirnov',
    phones: ['+7 912 604-33-21'], emails: ['belousov.sp@mail.ru'], city: 'Воронеж' });
  D({ ...base, ref: 'dup_pet2', name: 'Промэлектроторк', stage: 'lead', owner: 'm.zaitsev', city: 'Воронеж',
    region: 'Воронежская область', source: '2ГИС' });
  // 5. the same person twice (phone in two formats, the same e-mail), at two companies
  D({ ...base, ref: 'dup_kaskad', name: 'Каскад-Электро', stage: 'lead', owner: 'y.nikitina', city: 'Воронеж', region: 'Воронежская область',
    category: 'Электромонтажная организация', source: 'Рекомендация клиента' });
  P({ ref: 'dup_kaskad_p', name: 'Белоусов Сергей Петрович', position: 'Снабженец', company_ref: 'dup_kaskad', owner: 'y.nikitina',
    phones: ['89126043321'], emails: ['Belousov.SP@mail.ru'], city: 'Воронеж' });
  D({ ...base, ref: 'dup_kaskad2', name: 'ООО Каскад Электро', stage: 'lead', owner: 'k.lebedeva', city: 'Воронеж',
    region: 'Воронежская область', category: 'Электромонтажная организация', source: '2ГИС' });
  // 6. an individual entrepreneur written two ways
  D({ ...base, ref: 'dup_ip', name: 'ИП Кузнецов Андрей Викторович', stage: 'lead', owner: 'a.tarasov', city: 'Киров', region: 'Кировская область',
    phones: ['+7 (8332) 41-18-90'], inn: '434512345672', notes: 'Магазин «Фаза» на Воровского', source: 'Входящий звонок' });
  P({ ref: 'dup_ip_p', name: 'Кузнецов Андрей Викторович', position: 'Индивидуальный предприниматель', company_ref: 'dup_ip',
    owner: 'a.tarasov', phones: ['8 912 330 22 81'], city: 'Киров' });
  D({ ...base, ref: 'dup_ip2', name: 'Кузнецов Андрей Викторович ИП', stage: 'lead', owner: 'm.zaitsev', city: 'Киров',
    region: 'Кировская область', phones: ['7 8332 411890'], source: '2ГИС' });
  // 7. a lead whose e-mail is already a contact's, and one in capitals
  D({ ...base, ref: 'dup_volt', name: 'ООО «Вольтмаркет»', stage: 'lead', owner: 'p.romanov', city: 'Пермь', region: 'Пермский край',
    domain: 'voltmarket.ru', website: 'https://voltmarket.ru', phones: ['8 (342) 206-80-80'], category: 'Интернет-магазин',
    source: 'Заявка с сайта' });
  P({ ref: 'dup_volt_p', name: 'Ефимова Кристина Игоревна', position: 'Менеджер по закупкам', company_ref: 'dup_volt', owner: 'p.romanov',
    phones: ['+7 (902) 477-18-05'], emails: ['zakupki@voltmarket.ru'], city: 'Пермь' });
  D({ ...base, ref: 'dup_volt2', name: 'Вольт-Маркет Пермь', stage: 'lead', owner: 'k.lebedeva', city: 'Пермь', region: 'Пермский край',
    emails: ['ZAKUPKI@voltmarket.ru'], category: 'Интернет-магазин', source: 'Avito' });
  D({ ...base, ref: 'dup_svet', name: 'ООО «СВЕТ И ТОК»', stage: 'dead_end', owner: 'o.kiseleva', city: 'Тверь', region: 'Тверская область',
    phones: ['+7 (4822) 77-10-20'], source: 'Холодный звонок', notes: 'Отказ: нет своего склада' });
  D({ ...base, ref: 'dup_svet2', name: 'Свет и Ток', stage: 'lead', owner: 'm.zaitsev', city: 'Тверь', region: 'Тверская область',
    source: 'Яндекс Карты' });
  // 8. the same number with and without an extension
  D({ ...base, ref: 'dup_neva', name: 'ООО «Нева Электрокомплект»', stage: 'client', owner: 'i.smirnov', city: 'Санкт-Петербург',
    region: 'Санкт-Петербург', domain: 'neva-ek.ru', inn: '7802345675', phones: ['+7 (812) 335-20-10 доб. 115'],
    emails: ['opt@neva-ek.ru'], customer_type: 'Крупный', source: 'Выставка «Интерсвет»', notes: 'Прайс-лист вручную раз в неделю' });
  P({ ref: 'dup_neva_p', name: 'Островская Маргарита Сергеевна', position: 'Коммерческий директор', company_ref: 'dup_neva',
    owner: 'i.smirnov', phones: ['+7 921 640-11-90'], emails: ['m.ostrovskaya@neva-ek.ru'], city: 'Санкт-Петербург' });
  D({ ...base, ref: 'dup_neva2', name: 'Невский электрик', stage: 'lead', owner: 'k.lebedeva', city: 'Санкт-Петербург',
    region: 'Санкт-Петербург', phones: ['(812) 335-20-10'], source: '2ГИС' });

  // hand-written duplicates get valid INNs of their city's region too
  for (const c of companies) {
    if (c.ref.startsWith('dup_') && c.inn) {
      const city = CITIES.find((x) => x.name === c.city);
      c.inn = c.inn.length === 12 ? innPerson(r, city.inn) : innLegal(r, city.inn);
    }
  }
  return { companies, contacts, deals: [] };
}
