// Locale-aware formatting shared by the console pages: enumeration labels
// (codes from the API → words), dates, numbers and percentages.
import { useI18n } from 'vue-i18n';
import { useFields } from '../fields.js';

// The entity whose field an enumeration is, when a page names it by the
// field alone; its values and labels come from the server (meta/fields).
const ENTITY_OF = {
  gender: 'person', residence: 'person', status: 'person', political_status: 'person', relation: 'person',
  tenure: 'household', selection: 'role',
};

const none = (v) => v === null || v === undefined || v === '';

export function useFmt() {
  const { t, te, d, n } = useI18n();
  const fields = useFields();
  // A field's enumeration (entity defaults to ENTITY_OF), or one of the
  // console's own lists (access levels, audit actions: staff.enum.*).
  const label = (kind, v, entity = ENTITY_OF[kind]) => {
    if (none(v)) return '—';
    if (entity && fields.field(entity, kind)) return fields.label(entity, kind, v);
    return te(`staff.enum.${kind}.${v}`) ? t(`staff.enum.${kind}.${v}`) : String(v);
  };
  // 'YYYY-MM-DD' is a calendar day: build it in local time so it never
  // shifts by a day in time zones west of UTC.
  const day = (s) => {
    if (none(s)) return '—';
    if (String(s).includes('*')) return String(s); // masked: viewers see a birth year only (1944-**-**)
    const [y, m, dd] = String(s).slice(0, 10).split('-').map(Number);
    return d(new Date(y, m - 1, dd), 'short');
  };
  const time = (s) => (none(s) ? '—' : d(new Date(s), 'long'));
  const num = (v) => (none(v) ? '—' : n(Number(v)));
  const pct = (v) => (none(v) ? '—' : n(Number(v), 'percent'));
  const hours = (v) => (none(v) ? '—' : t('staff.hours', { h: n(Number(v), { maximumFractionDigits: 1 }) }));
  return { label, day, time, num, pct, hours };
}
