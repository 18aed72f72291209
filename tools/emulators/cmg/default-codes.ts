/** A code list like a real CMG's, in several languages, so language filtering has something to filter. */
import type { CmgCode } from '../../../shared/domain/cmg-code.js';

export const DEFAULT_CMG_CODES: readonly CmgCode[] = [
  { code: '11', descriptions: { en: 'Meeting', sv: 'Möte', de: 'Besprechung', fi: 'Kokous' } },
  { code: '12', descriptions: { en: 'Lunch', sv: 'Lunch', de: 'Mittagspause', fi: 'Lounas' } },
  { code: '13', descriptions: { en: 'Out of office', sv: 'Ej på kontoret', de: 'Abwesend', fi: 'Poissa toimistolta' } },
  { code: '14', descriptions: { en: 'Business trip', sv: 'Tjänsteresa', de: 'Dienstreise', fi: 'Työmatka' } },
  { code: '20', descriptions: { en: 'Vacation', sv: 'Semester', de: 'Urlaub', fi: 'Loma' } },
  { code: '21', descriptions: { en: 'Sick', sv: 'Sjuk', de: 'Krank', fi: 'Sairas' } },
  { code: '30', descriptions: { en: 'Busy', sv: 'Upptagen', de: 'Beschäftigt', fi: 'Varattu' } },
];
