import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Connection, writeUnflushed } from '../src/connection.ts';

describe('Connection statement cache', () => {
  let db: Database.Database;
  let connection: Connection;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec(
      'CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, $$x$$)'.replaceAll('$$', "'"),
    );
    connection = new Connection(db, ':memory:');
  });
  afterEach(() => db.close());

  it('reuses the compiled statement', () => {
    const first = connection.read('read', (handle) => handle.prepare('SELECT a FROM t'));
    const second = connection.write('write', (handle) => handle.prepare('SELECT a FROM t'));
    expect(second).toBe(first);
  });

  it('returns rows as objects after raw()', () => {
    const sql = 'SELECT a, b FROM t';
    expect(connection.read('raw', (handle) => handle.prepare(sql).raw().all())).toEqual([[1, 'x']]);
    expect(connection.read('objects', (handle) => handle.prepare(sql).all())).toEqual([
      { a: 1, b: 'x' },
    ]);
  });

  it('passes other methods to the database', () => {
    expect(
      connection.read('pragma', (handle) => handle.pragma('user_version', { simple: true })),
    ).toBe(0);
    connection.write('insert', (handle) => handle.exec("INSERT INTO t VALUES (2, 'y')"));
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
  });
});

describe('writeUnflushed', () => {
  it('commits with synchronous NORMAL, then restores it', () => {
    const db = new Database(':memory:');
    try {
      db.pragma('synchronous = FULL');
      const connection = new Connection(db, ':memory:');
      const inside = writeUnflushed(connection, 'write', (handle) => {
        handle.exec('CREATE TABLE t (a INTEGER)');
        return handle.pragma('synchronous', { simple: true });
      });
      // SQLite numbers the levels OFF 0, NORMAL 1, FULL 2.
      expect(inside).toBe(1);
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
