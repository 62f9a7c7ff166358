// The browser's IANA time zone (e.g. "Europe/Berlin"): the schedule form sends it with the wall-clock start.
export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
