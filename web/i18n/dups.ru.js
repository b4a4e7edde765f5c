// Строки отказа в сохранении дубля на форме создания (web/js/duplicates.js).
export default {
  exists: 'Такая запись уже есть: тот же телефон, e-mail или сайт.',
  exists_hidden: 'Уже есть {entity} с таким {match}; открыть его вы не можете.',
  open: 'Открыть: {name}',
  save_anyway: 'Всё равно сохранить как новую запись',
  entity_contact: 'контакт',
  entity_company: 'компания',
  match_phone: 'номером телефона',
  match_email: 'e-mail',
  match_domain: 'сайтом',
};
