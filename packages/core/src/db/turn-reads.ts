/**
 * SQLite: the hot reads (`prepared.ts`) of one turn of the event loop share one read
 * transaction, on a connection of their own.
 *
 * Why: in autocommit every read is a transaction of its own, which takes and drops a read mark
 * on the WAL index (two `fcntl` calls) and looks at the WAL's header; when another connection
 * has committed meanwhile (the audit writer, after every batch) it also starts with a cold page
 * cache. Under load the MCP server ran about two such transactions per answer (4.2 `fcntl`
 * calls per answer, strace); sharing one per turn brings that to 0.26, and the server's CPU per
 * answer down by 9–18 % in alternating runs at 32 connections (BENCHMARKS.md, tenth session);
 * side by side with the old build, 16 connections each, the MCP server alone answered 6 % more
 * and the full chain 2 % more (eleventh session).
 *
 * What a read sees: the database as it was at the turn's first hot read, as if every read of
 * the turn had run at that moment. Another process's commit is seen from the next turn on, a
 * window of one turn (docs/decisions.md weighs it for account state and revocation). This
 * process's own writes end the snapshot before they run (see `openSqlite`), so a caller always
 * reads what it has written.
 */
import BetterSqlite3 from 'better-sqlite3';

export interface TurnReads {
  /** Where the hot reads prepare their statements. */
  readonly connection: BetterSqlite3.Database;
  /** Before each hot read: opens the turn's read transaction unless one is open. */
  enter(): void;
  /** Ends the read transaction now: a write is about to run, or the database closes. */
  end(): void;
  close(): void;
}

export function openTurnReads(file: string, options: { readonly?: boolean } = {}): TurnReads {
  const connection = new BetterSqlite3(file, { fileMustExist: true, readonly: options.readonly === true });
  let begin: BetterSqlite3.Statement;
  let commit: BetterSqlite3.Statement;
  try {
    connection.pragma('busy_timeout = 10000');
    // Hot reads only: a statement that would write fails instead of joining the snapshot.
    connection.pragma('query_only = ON');
    begin = connection.prepare('BEGIN');
    commit = connection.prepare('COMMIT');
  } catch (error) {
    connection.close();
    throw error;
  }
  let scheduled = false;

  function end(): void {
    if (!connection.open || !connection.inTransaction) return;
    try {
      commit.run();
    } catch (error) {
      // A snapshot left open would be read from for good (a deactivated account still active):
      // roll it back, or let the throw end the process rather than serve stale state.
      connection.exec('ROLLBACK');
      if (connection.inTransaction) throw error;
    }
  }

  function endOfTurn(): void {
    scheduled = false;
    end();
  }

  return {
    connection,
    enter() {
      if (connection.inTransaction) return;
      begin.run();
      if (!scheduled) {
        scheduled = true;
        // The check phase: after every callback of this turn's poll phase and its promise jobs.
        setImmediate(endOfTurn);
      }
    },
    end,
    close() {
      end();
      if (connection.open) connection.close();
    },
  };
}
