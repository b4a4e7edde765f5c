// English strings of the CRM core's smaller pieces: the amount of a deal with lines, the
// unsaved-changes guard of the settings editors, deleting pipelines and roles.
export default {
  amount_from_lines: 'The total of the products and services below.',
  edit_lines: 'Edit the lines',
  err_amount_from_items: 'This deal’s amount is the total of its products and services: change the lines instead.',
  err_currency_from_items: 'This deal’s lines are priced in its currency: remove the lines to change it.',
  leave_confirm: 'You have unsaved changes. Leave and lose them?',
  discard_confirm: 'Discard the changes you made?',
  pipeline_delete: 'Delete pipeline',
  pipeline_delete_title: 'Delete “{name}”?',
  pipeline_delete_text: 'Its stages, transition matrix, checklists and automatic moves go with it. Only an empty pipeline can be deleted: move or delete its records first.',
  pipeline_delete_has: { one: 'It holds {count} record now.', other: 'It holds {count} records now.' },
  pipeline_deleted: 'Pipeline “{name}” deleted.',
  role_delete: 'Delete role',
  role_delete_title: 'Delete the role “{name}”?',
  role_delete_text: 'Its access rules and its moves in the transition matrices go with it. Only a role nobody has can be deleted.',
  role_deleted: 'Role “{name}” deleted.',
  err_pipeline_in_use: { one: '{count} record is in this pipeline: move or delete it first.', other: '{count} records are in this pipeline: move or delete them first.' },
  err_last_pipeline: 'This is the only deal pipeline, and its deleted deals need one: make another deal pipeline first.',
  err_role_users: { one: '{count} user has this role (deactivated ones count too): give them another role first.', other: '{count} users have this role (deactivated ones count too): give them another role first.' },
  err_role_tokens: { one: '{count} API token has this role: revoke it first.', other: '{count} API tokens have this role: revoke them first.' },
  err_role_only_viewer: 'Pipeline “{pipeline}” is visible to this role alone; without it everyone would see it. Change who sees the pipeline first.',
};
