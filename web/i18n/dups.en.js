// Strings of the duplicate refusal on the create form (web/js/duplicates.js).
export default {
  exists: 'Such a record exists already: the same phone, e-mail or web site.',
  exists_hidden: 'A {entity} with this {match} exists already; it is not yours to open.',
  open: 'Open {name}',
  save_anyway: 'Save as a new record anyway',
  entity_contact: 'contact',
  entity_company: 'company',
  match_phone: 'phone number',
  match_email: 'e-mail',
  match_domain: 'web site',
};
