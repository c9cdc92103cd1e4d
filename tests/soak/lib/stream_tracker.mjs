// What one client received of one numbered stream (0, 1, 2, ...): an event that is the
// next number is in order; a jump leaves the skipped numbers missing; a number that
// was missing and arrives later is out of order; one received before is a duplicate.
// `note` (anything: an offset, which connection) is kept for the last few numbers, so
// that a duplicate can be reported with both of its arrivals.
const KEPT_NOTES = 64;

export class StreamTracker {
  next = 0;
  received = 0;
  duplicates = 0;
  out_of_order = 0;
  missing = new Set();
  notes = new Map();
  anomalies = [];

  receive(seq, note = null) {
    this.received++;
    const earlier = this.notes.get(seq);
    this.notes.set(seq, note);
    if (this.notes.size > KEPT_NOTES) this.notes.delete(this.notes.keys().next().value);
    if (seq === this.next) {
      this.next++;
    } else if (seq > this.next) {
      for (let s = this.next; s < seq; s++) this.missing.add(s);
      this.next = seq + 1;
    } else if (this.missing.delete(seq)) {
      this.out_of_order++;
      this.#anomaly({ out_of_order: seq, expected: this.next, note });
    } else {
      this.duplicates++;
      this.#anomaly({ duplicate: seq, first: earlier, again: note });
    }
  }

  #anomaly(what) {
    if (this.anomalies.length < 10) this.anomalies.push(what);
  }

  // Everything of `sent` events arrived (whatever else happened).
  complete(sent) {
    return this.next >= sent && this.missing.size === 0;
  }

  // Numbers sent and never received.
  lost(sent) {
    return Math.max(0, sent - this.next) + this.missing.size;
  }
}
