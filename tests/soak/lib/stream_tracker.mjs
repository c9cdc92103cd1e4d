// What one client received of one numbered stream (0, 1, 2, ...): an event that is the
// next number is in order; a jump leaves the skipped numbers missing; a number that
// was missing and arrives later is out of order; one received before is a duplicate.
export class StreamTracker {
  next = 0;
  received = 0;
  duplicates = 0;
  out_of_order = 0;
  missing = new Set();

  receive(seq) {
    this.received++;
    if (seq === this.next) {
      this.next++;
    } else if (seq > this.next) {
      for (let s = this.next; s < seq; s++) this.missing.add(s);
      this.next = seq + 1;
    } else if (this.missing.delete(seq)) {
      this.out_of_order++;
    } else {
      this.duplicates++;
    }
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
