// Labels, option lists and limits from the server's field descriptions
// (stores/meta.js), in the reader's language: Chinese labels under zh-CN,
// English ones otherwise, as the rest of the UI picks its messages.
import { useI18n } from 'vue-i18n';
import { useMeta } from '../stores/meta.js';

// The server's English labels are lower case (they also read inside its
// sentences and as 台账 headers); shown on their own they start with a
// capital, as the UI's English does everywhere.
const cap = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);
export const pick = (o, locale, key = 'label') =>
  String(locale).startsWith('zh') ? o[`${key}_zh`] : cap(o[`${key}_en`] ?? o[`${key}_zh`]);

export function useFields() {
  const { locale } = useI18n();
  const meta = useMeta();
  // A field's description, its limit (characters for text), its values.
  const field = (entity, name) => meta.field(entity, name);
  const max = (entity, name) => meta.field(entity, name)?.max;
  const values = (entity, name) => meta.field(entity, name)?.values || [];
  const codes = (entity, name) => values(entity, name).map((v) => v.code);
  // An enumeration value's label; the code itself when unknown.
  const label = (entity, name, code) => {
    const v = values(entity, name).find((x) => x.code === code);
    return v ? pick(v, locale.value) : code;
  };
  // [{ value, label }] for a select.
  const options = (entity, name) => values(entity, name).map((v) => ({ value: v.code, label: pick(v, locale.value) }));
  // A case kind's states ({code, name_zh, name_en, phase}) and their names.
  const states = (path = 'requests') => meta.kind(path)?.states || [];
  const stateLabel = (code, path = 'requests') => {
    const st = states(path).find((x) => x.code === code);
    return st ? pick(st, locale.value, 'name') : code;
  };
  // An action's input field (its limit, values) of a case kind.
  const input = (action, name, path = 'requests') =>
    meta.kind(path)?.actions.find((a) => a.code === action)?.input.find((f) => f.name === name);
  return { field, max, values, codes, label, options, states, stateLabel, input, locale };
}
