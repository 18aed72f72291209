/** The mapping rules' settings (MAPPING.md), already validated; see shared/config/mapping-setting-specs.ts for names and defaults. */
export interface MappingSettings {
  readonly lookbackHours: number;
  readonly viewDays: number;
  readonly syncFree: boolean;
  readonly syncTentative: boolean;
  readonly syncUnanswered: boolean;
  readonly syncWorkingElsewhere: boolean;
  readonly syncAutomaticReplies: boolean;
  readonly oofCode: string;
  /** Undefined only when syncOnlyMatched is true. */
  readonly defaultCode: string | undefined;
  readonly categoryCodes: Readonly<Record<string, string>>;
  readonly codeAliases: Readonly<Record<string, string>>;
  /** Empty: the user's own CMG language. */
  readonly codeLanguages: readonly string[];
  readonly codeOnlyAliases: boolean;
  readonly codeMatchFields: ReadonlyArray<'category' | 'subject'>;
  readonly syncOnlyMatched: boolean;
  readonly forwardPrefix: string;
  readonly notForwardPrefix: string;
  readonly maskPrivate: boolean;
  readonly privateSubject: string;
  readonly privateLocation: string;
  readonly allDayStartOffsetHours: number;
  readonly allDayEndAtMidnight: boolean;
  readonly textMax: number;
  readonly textAppendLocation: boolean;
  readonly inConference: boolean;
  readonly sign: string;
}
