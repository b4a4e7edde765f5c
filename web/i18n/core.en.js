// English strings of the CRM core's smaller pieces: the amount of a deal with lines, the
// unsaved-changes guard of the settings editors, deleting pipelines and roles.
export default {
  amount_from_lines: 'The total of the products and services below.',
  edit_lines: 'Edit the lines',
  err_amount_from_items: 'This deal’s amount is the total of its products and services: change the lines instead.',
  leave_confirm: 'You have unsaved changes. Leave and lose them?',
  discard_confirm: 'Discard the changes you made?',
};
