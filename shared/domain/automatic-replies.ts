/** A mailbox's automatic replies (Graph `mailboxSettings.automaticRepliesSetting`), provider-neutral. */
export type AutomaticReplies =
  | { readonly status: 'disabled' }
  | { readonly status: 'alwaysEnabled' }
  /** Instants in UTC, ISO 8601 with `Z`. */
  | { readonly status: 'scheduled'; readonly start: string; readonly end: string };
