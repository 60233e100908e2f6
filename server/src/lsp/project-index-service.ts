// The language server's project index (model/project-index.ts): what the rest of the workspace
// says about the names a file uses, the same answers `leak-lens scan` gives. Built by the
// workspace scan before it analyses (every workspace file's text), kept current by file events
// and saves. Worker threads get a snapshot when theirs is out of date (a version number says
// which), so an unchanged index costs nothing per job.
import { ProjectIndex } from '../model/project-index';
import { settleAfterBurst } from './memory';

export interface ProjectSnapshot {
  version: number;
  /** Present when the receiver may not have this version yet: the index, serialized. */
  data?: string;
}

export class ProjectIndexService {
  /** Undefined while the index is only `installed`, in its serialized form. */
  private current: ProjectIndex | undefined = new ProjectIndex();
  /**
   * The index a worker thread built, as it came: made into objects only when this thread asks
   * something of it (see `index`). Until then the pool's threads are sent this very string, and
   * the main thread holds one string instead of a million-line workspace's tables (and its heap
   * never grows to take them in).
   */
  private installed: string | undefined;
  private version = 0;
  // The serialized form is only needed while jobs are being posted (postMessage copies it at
  // once): held weakly, so threads asking in a row share one, and a server that finished its
  // scan does not keep a second copy of the workspace's index.
  private serialized: { version: number; data: WeakRef<{ json: string }> } | undefined;

  get index(): ProjectIndex {
    if (!this.current) {
      this.current = ProjectIndex.deserialize(this.installed as string);
      this.installed = undefined;
      // (Taking in the tables grows the young generation: given back once things are quiet.)
      settleAfterBurst(() => true);
    }
    return this.current;
  }

  /** Indexes (or re-indexes) one file's text. */
  set(path: string, text: string): void {
    this.index.addFile(path, text);
    this.version++;
  }

  remove(path: string): void {
    this.index.removeFile(path);
    this.version++;
  }

  /**
   * Starts over from a complete set of files (a workspace scan without worker threads), one
   * version for all of them, added one at a time so each text can be dropped once indexed. The
   * current index keeps answering until `finish` puts the new one in its place.
   */
  rebuild(): { add(path: string, text: string): void; finish(): void } {
    const next = new ProjectIndex();
    return {
      add: (path, text) => next.addFile(path, text),
      finish: () => {
        next.compact();
        this.current = next;
        this.installed = undefined;
        this.version++;
      },
    };
  }

  /**
   * Puts an index built elsewhere (a worker thread read the workspace: see `IndexOutcome`) in the
   * current one's place; returns its version.
   */
  install(serialized: string): number {
    this.current = undefined;
    this.installed = serialized;
    this.version++;
    return this.version;
  }

  /** The snapshot for a receiver that last got `known` (it carries the data only if that is stale). */
  snapshot(known: number | undefined): ProjectSnapshot {
    if (known === this.version) return { version: this.version };
    if (this.installed !== undefined) return { version: this.version, data: this.installed };
    let data = this.serialized?.version === this.version ? this.serialized.data.deref() : undefined;
    if (!data) {
      data = { json: this.index.serialize() };
      this.serialized = { version: this.version, data: new WeakRef(data) };
    }
    return { version: this.version, data: data.json };
  }
}

/** The worker side: keeps the last index it was sent (or built itself). */
export class ProjectIndexReplica {
  private version: number | undefined;
  private index: ProjectIndex | undefined;
  private built: ProjectIndex | undefined;

  /** The index for a job, after applying the snapshot the job carries. */
  apply(snapshot: ProjectSnapshot | undefined): ProjectIndex | undefined {
    if (!snapshot) return undefined;
    if (snapshot.data !== undefined) {
      this.index = ProjectIndex.deserialize(snapshot.data);
      this.version = snapshot.version;
    }
    return this.version === snapshot.version ? this.index : undefined;
  }

  /** Keep nothing (the thread is ending). */
  clear(): void {
    this.index = undefined;
    this.built = undefined;
    this.version = undefined;
  }

  /** This thread built `index` (see `adopt`). */
  keepBuilt(index: ProjectIndex): void {
    this.built = index;
  }

  /** The index this thread built last is the project's `version`. */
  adopt(version: number): void {
    if (!this.built) return;
    this.index = this.built;
    this.version = version;
    this.built = undefined;
  }
}
