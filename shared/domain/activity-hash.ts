/** Content hash of an activity as sent to CMG: equal hashes mean CMG already holds this content. */
import type { Activity } from './activity.js';
import { sha256Base64url } from './sha256.js';

export function activityHash(activity: Activity): string {
  // An explicit field list (not JSON of the object) so key order or extra properties cannot
  // change the hash; the leading version changes if the list ever does. (JSON.stringify of the
  // array is faster than concatenating the same text by hand.)
  const fields = [
    'v1',
    activity.externalId,
    activity.code,
    activity.start,
    activity.end,
    activity.text,
    activity.forward,
    activity.inConference,
    activity.sign,
    activity.private,
    activity.source.provider,
    activity.source.eventId,
  ];
  return sha256Base64url(JSON.stringify(fields));
}
