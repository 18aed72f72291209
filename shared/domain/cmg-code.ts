/** A CMG activity code with its description per language (CMG `/codes`). */
export interface CmgCode {
  readonly code: string;
  /** Language code → description, e.g. `{ en: "Meeting", sv: "Möte" }`. */
  readonly descriptions: Readonly<Record<string, string>>;
}
