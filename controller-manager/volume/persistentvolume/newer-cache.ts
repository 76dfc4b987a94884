// The PV controller's own record of what it just wrote (upstream's storeObjectUpdate on
// ctrl.volumes/ctrl.claims): a binding takes four writes, and the informer's copies lag behind
// them, so the next sync would otherwise act on an older object and lose a 409 race with
// itself. Reads take whichever copy has the newer resourceVersion; entries go once the
// informer has caught up, or the object is gone.
interface Versioned {
  metadata?: { resourceVersion?: string };
}

function rv(o: Versioned | undefined): bigint {
  try {
    return BigInt(o?.metadata?.resourceVersion ?? '0');
  } catch {
    return 0n;
  }
}

export class NewerCache<T extends Versioned> {
  private readonly written = new Map<string, T>();

  note(key: string, obj: T): T {
    if (rv(obj) > rv(this.written.get(key))) this.written.set(key, obj);
    return obj;
  }

  /** The newer of the informer's copy and ours; undefined when the informer no longer has it. */
  pick(key: string, fromInformer: T | undefined): T | undefined {
    const mine = this.written.get(key);
    if (!fromInformer || !mine) {
      if (!fromInformer) this.written.delete(key);
      return fromInformer;
    }
    if (rv(fromInformer) >= rv(mine)) {
      this.written.delete(key);
      return fromInformer;
    }
    return mine;
  }

  forget(key: string): void {
    this.written.delete(key);
  }
}
