import { projectKey, refKey } from "./sessions.js";
import type { FaultAction, FaultHandle, FaultSpec } from "./types.js";

export interface ActiveFault {
  action: FaultAction;
  /** Only this session (its refKey), or null for every request. */
  target: string | null;
  /** Only requests about this project (its projectKey): its list and its sessions' GETs. */
  projectTarget: string | null;
  from: number;
  until: number;
  remaining: number;
  hits: number;
}

/** The first applicable fault of each group; a request may be slowed and then answered wrongly. */
export interface FaultSelection {
  latency: ActiveFault | undefined;
  /** status or reset: decided before the key is checked, as a failing gateway would. */
  early: ActiveFault | undefined;
  /** Changes to a 200 body. */
  body: ActiveFault | undefined;
}

export interface FaultSet {
  add(spec: FaultSpec): FaultHandle;
  clear(): void;
  /**
   * Undefined when no fault is injected at all, so the common path allocates nothing. `key` is the
   * session a GET names (null for a list), `project` the project of either.
   */
  select(key: string | null, project?: string | null): FaultSelection | undefined;
  /** Counts one application against the fault's `count`. */
  consume(fault: ActiveFault): void;
}

type Group = keyof FaultSelection;

function groupOf(action: FaultAction): Group {
  if (action.kind === "latency") return "latency";
  if (action.kind === "status" || action.kind === "reset") return "early";
  return "body";
}

export function createFaultSet(now: () => number): FaultSet {
  let faults: ActiveFault[] = [];

  const isLive = (fault: ActiveFault, at: number) =>
    fault.remaining > 0 && at >= fault.from && at < fault.until;

  return {
    add(spec) {
      const { session, project, count, afterMs, forMs, ...action } = spec;
      const from = now() + (afterMs ?? 0);
      const fault: ActiveFault = {
        action: action as FaultAction,
        target: session ? refKey(session) : null,
        projectTarget: project ? projectKey(project) : null,
        from,
        until: forMs === undefined ? Number.POSITIVE_INFINITY : from + forMs,
        remaining: count ?? Number.POSITIVE_INFINITY,
        hits: 0,
      };
      faults.push(fault);
      return {
        get hits() {
          return fault.hits;
        },
        remove() {
          faults = faults.filter((f) => f !== fault);
        },
      };
    },
    clear() {
      faults = [];
    },
    select(key, project = null) {
      if (faults.length === 0) return undefined;
      const at = now();
      const selection: FaultSelection = { latency: undefined, early: undefined, body: undefined };
      for (const fault of faults) {
        if (fault.target !== null && fault.target !== key) continue;
        if (fault.projectTarget !== null && fault.projectTarget !== project) continue;
        if (!isLive(fault, at)) continue;
        const group = groupOf(fault.action);
        selection[group] ??= fault;
      }
      return selection;
    },
    consume(fault) {
      fault.remaining -= 1;
      fault.hits += 1;
    },
  };
}
