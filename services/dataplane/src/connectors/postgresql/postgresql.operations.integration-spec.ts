import { randomBytes } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import { closedLoopbackPort, createPostgresDatabase, postgresAdmin, serviceUrl, type TestDatabase } from '@plumbline/testing';
import { type ConnectorTarget } from '../connector';
import { diffCatalog } from '../operations/diff-catalog';
import { OperationError, OperationErrorCode } from '../operations/errors';
import { PATTERNS, SHAPE_PROBE_ROWS } from '../operations/patterns';
import { CUSTOMERS, ORDER_COLUMNS, orderRow, orderRows, type OrderRow } from '../operations/testing/orders-fixture';
import { discreteQuantile, numericReference, shapeCountDisagreements, textReference } from '../operations/testing/reference-statistics';
import {
  isNumeric,
  isTemporal,
  type Check,
  type CheckOutcome,
  type FieldProfile,
  type ProfileResult,
  type Progress,
  type SyncResult,
} from '../operations/types';
import { PostgresqlConnector } from './postgresql.connector';

const SCHEMA = 'shop';

/** What level 1 must infer for the orders fixture, in field order. */
const LEVEL_1_ORDER_CHECKS = [
  'not_null:id',
  'not_negative:id',
  'not_null:customer_id',
  'not_negative:customer_id',
  'not_null:ref',
  'any_not_null:quantity',
  'any_not_null:amount',
  'not_negative:amount',
  'not_null:ratio',
  'not_null:status',
  'expected_values:status',
  'any_not_null:note',
  'not_null:contact',
  'not_null:ordered_at',
  'any_not_null:ship_date',
  'not_null:code',
  'any_not_null:flag',
  'not_null:payload',
];

describe(`${PostgresqlConnector.name} operations`, () => {
  const sut = new PostgresqlConnector();
  /** Planted in every target: it must never show up in a result or an error. */
  const password = `Pl4nted-${randomBytes(9).toString('base64url')}`;
  let database: TestDatabase;
  let host: string;
  let port: number;

  const target = (properties: Record<string, string> = {}): ConnectorTarget => ({
    connector: 'postgresql',
    authMethod: 'basic',
    properties: { host, port: String(port), username: 'postgres', password, ssl_mode: 'prefer', ...properties },
    scope: { database: database.name, schema: SCHEMA },
  });
  const within = (ms = 30_000) => ({ deadline: Date.now() + ms });
  const admin = <T>(work: Parameters<typeof postgresAdmin<T>>[0]) => postgresAdmin(work, database.name);

  /** The independent oracle's input: `SELECT id, field::text` of a small test table. */
  async function valuesOf(table: string, field: string): Promise<{ id: number; v: string | null }[]> {
    return admin(async (client) => {
      const { rows } = await client.query<{ id: number; v: string | null }>(
        `SELECT id, ${escapeIdentifier(field)}::text AS v FROM ${SCHEMA}.${escapeIdentifier(table)} ORDER BY id`,
      );
      return rows;
    });
  }

  async function insertOrders(rows: readonly OrderRow[]): Promise<void> {
    const values: unknown[] = [];
    const tuples = rows.map((row) => `(${ORDER_COLUMNS.map((column) => `$${values.push(row[column])}`).join(', ')})`);
    await admin((client) => client.query(`INSERT INTO ${SCHEMA}.orders (${ORDER_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values));
  }

  async function expectFailure(promise: Promise<unknown>, code: OperationErrorCode): Promise<OperationError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).code).toBe(code);
    expect(JSON.stringify({ message: (error as Error).message, hint: (error as OperationError).hint })).not.toContain(password);
    return error as OperationError;
  }

  beforeAll(async () => {
    const url = new URL(await serviceUrl('postgres'));
    host = url.hostname;
    port = Number(url.port || 5432);
    database = await createPostgresDatabase('plumbline_ops_pg');
    await admin(async (client) => {
      await client.query(`CREATE SCHEMA ${SCHEMA}`);
      await client.query(`CREATE TABLE ${SCHEMA}.customers (
        id int PRIMARY KEY, email text UNIQUE, name text, nickname text)`);
      await client.query(`CREATE TABLE ${SCHEMA}.orders (
        id int PRIMARY KEY,
        customer_id int NOT NULL REFERENCES ${SCHEMA}.customers (id),
        ref text NOT NULL,
        quantity int,
        amount numeric(10, 2),
        ratio double precision NOT NULL,
        status text NOT NULL,
        note text,
        contact varchar(60) NOT NULL,
        ordered_at timestamp NOT NULL,
        ship_date date,
        code uuid UNIQUE,
        flag boolean,
        payload jsonb,
        legacy text)`);
      await client.query(`CREATE TABLE ${SCHEMA}.to_drop (id int)`);
      await client.query(`CREATE VIEW ${SCHEMA}.big_orders AS SELECT id, amount, status FROM ${SCHEMA}.orders WHERE amount > 100`);
      await client.query(`CREATE VIEW ${SCHEMA}.slow AS SELECT 1 AS x FROM pg_sleep(3)`);
      for (const c of CUSTOMERS) {
        await client.query(`INSERT INTO ${SCHEMA}.customers VALUES ($1, $2, $3, $4)`, [c.id, c.email, c.name, c.nickname]);
      }
    });
    await insertOrders(orderRows(1, 200));
    await admin((client) =>
      client.query(`CREATE MATERIALIZED VIEW ${SCHEMA}.order_totals AS SELECT status, count(*) AS n FROM ${SCHEMA}.orders GROUP BY status`),
    );
  });

  afterAll(async () => {
    await database?.drop();
  });

  describe('sync', () => {
    let first: SyncResult;
    const progress: Progress[] = [];

    beforeAll(async () => {
      first = await sut.sync(target(), { ...within(), progress: (p) => progress.push(p) });
    });

    it('lists tables, views and materialized views by schema-qualified id', () => {
      expect(first.containers.map((c) => [c.id, c.kind])).toEqual([
        ['shop.big_orders', 'view'],
        ['shop.customers', 'table'],
        ['shop.order_totals', 'materialized_view'],
        ['shop.orders', 'table'],
        ['shop.slow', 'view'],
        ['shop.to_drop', 'table'],
      ]);
      expect(progress.length).toBeGreaterThan(0);
    });

    it('describes fields with declared and normalized types, nullability and key membership', () => {
      const orders = first.containers.find((c) => c.id === 'shop.orders');
      expect(orders?.primaryKey).toEqual(['id']);
      expect(orders?.uniqueKeys).toEqual([{ name: 'orders_code_key', fields: ['code'] }]);
      expect(orders?.foreignKeys).toEqual([
        { name: 'orders_customer_id_fkey', fields: ['customer_id'], references: { container: 'shop.customers', fields: ['id'] } },
      ]);
      const fields = orders?.fields.map((f) => [f.ordinal, f.name, f.declaredType, f.type, f.nullable, f.primaryKey, f.unique, f.foreignKey]);
      expect(fields).toEqual([
        [1, 'id', 'integer', 'integer', false, true, false, false],
        [2, 'customer_id', 'integer', 'integer', false, false, false, true],
        [3, 'ref', 'text', 'string', false, false, false, false],
        [4, 'quantity', 'integer', 'integer', true, false, false, false],
        [5, 'amount', 'numeric(10,2)', 'decimal', true, false, false, false],
        [6, 'ratio', 'double precision', 'float', false, false, false, false],
        [7, 'status', 'text', 'string', false, false, false, false],
        [8, 'note', 'text', 'string', true, false, false, false],
        [9, 'contact', 'character varying(60)', 'string', false, false, false, false],
        [10, 'ordered_at', 'timestamp without time zone', 'timestamp', false, false, false, false],
        [11, 'ship_date', 'date', 'date', true, false, false, false],
        [12, 'code', 'uuid', 'uuid', true, false, true, false],
        [13, 'flag', 'boolean', 'boolean', true, false, false, false],
        [14, 'payload', 'jsonb', 'json', true, false, false, false],
        [15, 'legacy', 'text', 'string', true, false, false, false],
      ]);
      const customers = first.containers.find((c) => c.id === 'shop.customers');
      expect(customers?.fields.find((f) => f.name === 'email')).toMatchObject({ unique: true, primaryKey: false });
      const view = first.containers.find((c) => c.id === 'shop.big_orders');
      expect(view?.fields.map((f) => [f.name, f.type])).toEqual([
        ['id', 'integer'],
        ['amount', 'decimal'],
        ['status', 'string'],
      ]);
    });

    it('fails with NOT_FOUND for a schema that does not exist', async () => {
      const missing = { ...target(), scope: { database: database.name, schema: 'nope' } };
      await expectFailure(sut.sync(missing, within()), OperationErrorCode.NOT_FOUND);
    });

    it('fails with UNAVAILABLE on a closed port, without the password in the error', async () => {
      const closed = await closedLoopbackPort();
      const error = await expectFailure(sut.sync(target({ port: String(closed) }), within()), OperationErrorCode.UNAVAILABLE);
      expect(error.message).toContain('refused');
    });

  });

  describe('profile', () => {
    let orders: ProfileResult;
    let customers: ProfileResult;
    const nowText = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

    beforeAll(async () => {
      orders = await sut.profile(target(), { container: 'orders', inferenceLevel: 2 }, within());
      customers = await sut.profile(target(), { container: 'customers', inferenceLevel: 2 }, within());
    });

    const closeTo = (actual: number | null, expected: number) => {
      expect(actual).not.toBeNull();
      expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    };

    /** Every figure of one field against the reference computed in Node from `SELECT field::text`. */
    async function verifyField(table: string, profile: FieldProfile): Promise<void> {
      const rows = await valuesOf(table, profile.field);
      const values = rows.map((r) => r.v);
      const present = values.filter((v): v is string => v !== null);
      expect(profile.rowCount).toBe(values.length);
      expect(profile.nullCount).toBe(values.length - present.length);
      expect(profile.nonNullCount).toBe(present.length);
      expect(profile.completeness).toBeCloseTo(values.length === 0 ? 1 : present.length / values.length, 12);
      expect(profile.distinctCount).toBe(new Set(present).size);
      expect(profile.distinctIsEstimate).toBe(false);

      if (isNumeric(profile.type) && present.length > 0) {
        const ref = numericReference(present.map(Number));
        expect(Number(profile.min)).toBe(ref.min);
        expect(Number(profile.max)).toBe(ref.max);
        closeTo(Number(profile.sum), ref.sum);
        closeTo(profile.mean, ref.mean);
        closeTo(profile.stddev, ref.stddev);
        closeTo(profile.skewness, ref.skewness);
        closeTo(profile.kurtosis, ref.kurtosis);
        closeTo(Number(profile.q1), ref.q1);
        closeTo(Number(profile.median), ref.median);
        closeTo(Number(profile.q3), ref.q3);
      } else {
        for (const stat of ['sum', 'mean', 'stddev', 'skewness', 'kurtosis'] as const) expect(profile[stat]).toBeNull();
      }
      if (isTemporal(profile.type) && present.length > 0) {
        // ISO text of one format sorts like the values.
        const sorted = [...present].sort();
        expect([profile.min, profile.max]).toEqual([sorted[0], sorted.at(-1)]);
        expect([profile.q1, profile.median, profile.q3]).toEqual([0.25, 0.5, 0.75].map((p) => discreteQuantile(sorted, p)));
        expect(profile.hasFuture).toBe(present.some((v) => v > nowText()));
      }
      if (profile.type === 'string' && present.length > 0) {
        const ref = textReference(present);
        expect([profile.minLength, profile.maxLength]).toEqual([ref.minLength, ref.maxLength]);
        closeTo(profile.meanLength, ref.meanLength);
        expect(shapeCountDisagreements(profile.patternCounts, ref.patternCounts, present.length)).toEqual([]);
        // Collation order, asked of the database independently of the aggregate.
        const [low, high] = await admin(async (client) => {
          const column = escapeIdentifier(profile.field);
          const sql = (dir: string) =>
            `SELECT ${column} AS v FROM ${SCHEMA}.${escapeIdentifier(table)} WHERE ${column} IS NOT NULL ORDER BY ${column} ${dir} LIMIT 1`;
          return [(await client.query(sql('ASC'))).rows[0]?.v, (await client.query(sql('DESC'))).rows[0]?.v];
        });
        expect([profile.min, profile.max]).toEqual([low, high]);
      }
      if (profile.type === 'string' && present.length === 0) {
        expect([profile.min, profile.max, profile.minLength, profile.meanLength]).toEqual([null, null, null, null]);
      }
      if (profile.type === 'boolean') {
        expect(profile.min).toBe(present.includes('false') ? 'false' : 'true');
        expect(profile.max).toBe(present.includes('true') ? 'true' : 'false');
      }
      if (profile.type === 'uuid') {
        const sorted = [...present].sort();
        expect([profile.min, profile.max]).toEqual([sorted[0], sorted.at(-1)]);
      }
      if (profile.type === 'json') expect([profile.min, profile.max]).toEqual([null, null]);
    }

    it('profiles every field of a table in one aggregate pass, after a shape probe and before one expected-values query', () => {
      expect(orders.container).toBe('shop.orders');
      expect(orders.profiledRows).toBe(200);
      expect(orders.fields.map((f) => f.field)).toEqual([...ORDER_COLUMNS]);
      expect(orders.statements).toBe(3);
    });

    it.each([...ORDER_COLUMNS])('matches an independent computation for orders.%s', async (field) => {
      const profile = orders.fields.find((f) => f.field === field);
      if (!profile) throw new Error(`no profile for ${field}`);
      await verifyField('orders', profile);
    });

    it.each(['id', 'email', 'name', 'nickname'])('matches an independent computation for customers.%s', async (field) => {
      const profile = customers.fields.find((f) => f.field === field);
      if (!profile) throw new Error(`no profile for ${field}`);
      await verifyField('customers', profile);
    });

    it('infers a type from the values of text fields', () => {
      const inferred = Object.fromEntries(orders.fields.map((f) => [f.field, f.inferredType]));
      expect(inferred).toMatchObject({ ref: 'integer', contact: 'string', note: 'string', amount: 'decimal', legacy: 'string' });
    });

    it('infers no checks at level 0', async () => {
      const result = await sut.profile(target(), { container: 'orders', inferenceLevel: 0 }, within());
      expect(result.checks).toEqual([]);
      expect(result.statements).toBe(2);
    });

    it('infers Not Null, Any Not Null, Expected Values, Not Negative and Not Future at level 1', async () => {
      const result = await sut.profile(target(), { container: 'orders', inferenceLevel: 1 }, within());
      expect(result.checks.map((c) => c.key)).toEqual(LEVEL_1_ORDER_CHECKS);
      expect(result.checks.find((c) => c.key === 'expected_values:status')).toMatchObject({ values: ['cancelled', 'paid', 'shipped'] });
    });

    it('adds Between, Between Times, Matches Pattern and Unique at level 2', () => {
      const byKey = new Map(orders.checks.map((c) => [c.key, c]));
      expect(byKey.get('between:quantity')).toMatchObject({ min: '-5', max: '44' });
      expect(byKey.get('between:amount')).toMatchObject({ min: orders.fields.find((f) => f.field === 'amount')?.min });
      expect(byKey.get('between_times:ship_date')).toMatchObject({ min: '2021-01-04', max: '2030-06-01' });
      for (const key of ['unique:id', 'unique:code', 'unique:contact', 'unique:ordered_at']) expect(byKey.has(key)).toBe(true);
      for (const key of ['unique:ref', 'unique:payload', 'not_future:ordered_at', 'not_negative:quantity', 'matches_pattern:contact']) {
        expect(byKey.has(key)).toBe(false);
      }
      const email = customers.checks.find((c) => c.key === 'matches_pattern:email');
      expect(email).toMatchObject({ shape: 'email', pattern: PATTERNS.email });
      expect(customers.checks.some((c) => c.key === 'unique:email')).toBe(true);
    });

    it('infers only checks that hold: scanning them finds no violation', async () => {
      for (const [container, profile] of [
        ['orders', orders],
        ['customers', customers],
      ] as const) {
        const result = await sut.scan(target(), { container, checks: profile.checks }, within());
        expect(result.outcomes.filter((o) => o.violations > 0)).toEqual([]);
        expect(result.outcomes).toHaveLength(profile.checks.length);
      }
    });

    it('keeps check keys stable across re-profiling', async () => {
      const again = await sut.profile(target(), { container: 'orders', inferenceLevel: 2 }, within());
      expect(again.checks.map((c) => c.key)).toEqual(orders.checks.map((c) => c.key));
      expect(new Set(again.checks.map((c) => c.key)).size).toBe(again.checks.length);
    });

    it('counts only the shapes the first rows leave possible, and still sees a counterexample after them', async () => {
      const rows = SHAPE_PROBE_ROWS + 50;
      await admin((client) =>
        client.query(`CREATE TABLE ${SCHEMA}.shapes AS
          SELECT g AS id, CASE WHEN g = ${rows} THEN 'n/a' ELSE g::text END AS code, 'x' || g AS free
            FROM generate_series(1, ${rows}) AS g`),
      );
      try {
        const result = await sut.profile(target(), { container: 'shapes', inferenceLevel: 2 }, within());
        const field = (name: string) => result.fields.find((f) => f.field === name);
        expect(field('code')).toMatchObject({ patternCounts: { integer: rows - 1, decimal: rows - 1 }, inferredType: 'string' });
        expect(field('free')?.patternCounts).toEqual({});
      } finally {
        await admin((client) => client.query(`DROP TABLE ${SCHEMA}.shapes`));
      }
    });

    it('profiles the first rows up to the record limit', async () => {
      const result = await sut.profile(target(), { container: 'orders', recordLimit: 50, inferenceLevel: 0 }, within());
      expect(result.profiledRows).toBe(50);
      expect(result.recordLimit).toBe(50);
      expect(result.fields.every((f) => f.rowCount === 50)).toBe(true);
    });

    it('profiles a BERNOULLI sample of a table, and a random() sample of a view', async () => {
      const table = await sut.profile(target(), { container: 'orders', sampleFraction: 0.5, inferenceLevel: 1 }, within());
      expect(table.profiledRows).toBeGreaterThan(40);
      expect(table.profiledRows).toBeLessThan(160);
      // Expected values come from the same (repeatable) sample, so the check holds there.
      expect(table.checks.find((c) => c.key === 'expected_values:status')).toBeDefined();
      const view = await sut.profile(target(), { container: 'big_orders', sampleFraction: 0.9, inferenceLevel: 1 }, within());
      const all = (await valuesOf('big_orders', 'id')).length;
      expect(view.profiledRows).toBeLessThanOrEqual(all);
      expect(view.profiledRows).toBeGreaterThan(0);
    });

    it('profiles an empty table without figures and infers nothing', async () => {
      await admin((client) => client.query(`CREATE TABLE ${SCHEMA}.empty_t (n int, s text, d date)`));
      const result = await sut.profile(target(), { container: 'empty_t', inferenceLevel: 2 }, within());
      expect(result.profiledRows).toBe(0);
      expect(result.checks).toEqual([]);
      for (const f of result.fields) {
        expect(f).toMatchObject({ rowCount: 0, nullCount: 0, completeness: 1, distinctCount: 0, min: null, max: null, mean: null, median: null });
      }
    });

    it('rejects bad input and unknown containers', async () => {
      await expectFailure(sut.profile(target(), { container: 'orders', sampleFraction: 0 }, within()), OperationErrorCode.INVALID_ARGUMENT);
      await expectFailure(sut.profile(target(), { container: 'orders', recordLimit: 1.5 }, within()), OperationErrorCode.INVALID_ARGUMENT);
      await expectFailure(sut.profile(target(), { container: 'ghost' }, within()), OperationErrorCode.NOT_FOUND);
    });
  });

  describe('scan', () => {
    type Predicate = (v: string | null) => boolean;
    const nowText = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

    /** Checks one outcome row by row against the rows of `SELECT id, field::text`, in id order. */
    async function expectOutcome(outcome: CheckOutcome | undefined, field: string, violates: Predicate, limit = 10, after = 0) {
      const rows = (await valuesOf('orders', field)).filter((r) => r.id > after);
      const violating = rows.filter((r) => violates(r.v));
      expect(outcome?.violations).toBe(violating.length);
      expect(outcome?.sample).toEqual(violating.slice(0, limit).map((r) => ({ key: { id: String(r.id) }, value: r.v })));
    }

    const checks: Check[] = [
      { type: 'not_null', field: 'note' },
      { type: 'any_not_null', field: 'legacy' },
      { type: 'any_not_null', field: 'quantity' },
      { type: 'expected_values', field: 'status', values: ['paid', 'shipped'] },
      { type: 'not_negative', field: 'quantity' },
      { type: 'not_future', field: 'ordered_at' },
      { type: 'not_future', field: 'ship_date' },
      { type: 'between', field: 'amount', min: '0', max: '500' },
      { type: 'between', field: 'ratio', min: '-0.5', max: '2.5' },
      { type: 'between_times', field: 'ship_date', min: '2021-02-01', max: '2022-06-30' },
      { type: 'matches_pattern', field: 'contact', pattern: PATTERNS.email, shape: 'email' },
      { type: 'unique', field: 'ref' },
    ];
    let outcomes: Map<string, CheckOutcome>;
    let scannedRows: number;

    beforeAll(async () => {
      const result = await sut.scan(target(), { container: 'orders', checks }, within());
      outcomes = new Map(result.outcomes.map((o) => [o.key, o]));
      scannedRows = result.scannedRows;
      expect(result.highWaterMark).toBeNull();
    });

    it('scans every row and answers every check in order', () => {
      expect(scannedRows).toBe(200);
      expect([...outcomes.keys()]).toEqual(checks.map((c) => `${c.type}:${c.field}`));
    });

    it('Not Null: the rows with a null', () => expectOutcome(outcomes.get('not_null:note'), 'note', (v) => v === null));

    it('Any Not Null: every row when all values are null, none otherwise', async () => {
      await expectOutcome(outcomes.get('any_not_null:legacy'), 'legacy', () => true);
      expect(outcomes.get('any_not_null:quantity')).toMatchObject({ violations: 0, sample: [] });
    });

    it('Expected Values: non-null values outside the list', () =>
      expectOutcome(outcomes.get('expected_values:status'), 'status', (v) => v !== null && !['paid', 'shipped'].includes(v)));

    it('Not Negative: values below zero', () =>
      expectOutcome(outcomes.get('not_negative:quantity'), 'quantity', (v) => v !== null && Number(v) < 0));

    it('Not Future: timestamps and dates after now', async () => {
      await expectOutcome(outcomes.get('not_future:ordered_at'), 'ordered_at', (v) => v !== null && v > nowText());
      await expectOutcome(outcomes.get('not_future:ship_date'), 'ship_date', (v) => v !== null && v > nowText().slice(0, 10));
    });

    it('Between: numbers outside min..max (decimal and float)', async () => {
      await expectOutcome(outcomes.get('between:amount'), 'amount', (v) => v !== null && (Number(v) < 0 || Number(v) > 500));
      await expectOutcome(outcomes.get('between:ratio'), 'ratio', (v) => v !== null && (Number(v) < -0.5 || Number(v) > 2.5));
    });

    it('Between Times: dates outside min..max', () =>
      expectOutcome(outcomes.get('between_times:ship_date'), 'ship_date', (v) => v !== null && (v < '2021-02-01' || v > '2022-06-30')));

    it('Matches Pattern: values that are not emails', () =>
      expectOutcome(outcomes.get('matches_pattern:contact'), 'contact', (v) => v !== null && !new RegExp(PATTERNS.email).test(v)));

    it('Unique: every row whose value occurs more than once, by value then key', async () => {
      const rows = await valuesOf('orders', 'ref');
      const counts = new Map<string | null, number>();
      for (const r of rows) counts.set(r.v, (counts.get(r.v) ?? 0) + 1);
      const violating = rows.filter((r) => r.v !== null && (counts.get(r.v) ?? 0) > 1);
      expect(violating.map((r) => r.id)).toEqual([5, 10, 20]);
      expect(outcomes.get('unique:ref')).toEqual({
        key: 'unique:ref',
        check: { type: 'unique', field: 'ref' },
        violations: 3,
        sample: violating.map((r) => ({ key: { id: String(r.id) }, value: '1005' })),
      });
    });

    it('caps the sample at sampleLimit while counting every violation', async () => {
      const result = await sut.scan(target(), { container: 'orders', checks: [{ type: 'not_null', field: 'note' }], sampleLimit: 3 }, within());
      await expectOutcome(result.outcomes[0], 'note', (v) => v === null, 3);
      expect(result.outcomes[0]?.violations).toBe(50);
    });

    it('rejects a check that does not fit its field, and an unknown field', async () => {
      await expectFailure(
        sut.scan(target(), { container: 'orders', checks: [{ type: 'not_negative', field: 'status' }] }, within()),
        OperationErrorCode.INVALID_ARGUMENT,
      );
      await expectFailure(
        sut.scan(target(), { container: 'orders', checks: [{ type: 'not_null', field: 'ghost' }] }, within()),
        OperationErrorCode.NOT_FOUND,
      );
    });

    it('closed every connection it opened', async () => {
      const open = await postgresAdmin(async (client) => {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'plumbline-operation' AND datname = $1`,
          [database.name],
        );
        return rows[0]?.n;
      });
      expect(open).toBe(0);
    });

    describe('incremental', () => {
      beforeAll(async () => {
        await insertOrders([...orderRows(201, 206), { ...orderRow(207), ref: '1005', quantity: -9, note: null }]);
      });

      it('scans only rows after the mark and reports the new high-water mark', async () => {
        const result = await sut.scan(
          target(),
          {
            container: 'orders',
            checks: [
              { type: 'not_negative', field: 'quantity' },
              { type: 'not_null', field: 'note' },
              { type: 'unique', field: 'ref' },
            ],
            incremental: { column: 'id', after: '200' },
          },
          within(),
        );
        expect(result.scannedRows).toBe(7);
        expect(result.highWaterMark).toBe('207');
        await expectOutcome(result.outcomes[0], 'quantity', (v) => v !== null && Number(v) < 0, 10, 200);
        await expectOutcome(result.outcomes[1], 'note', (v) => v === null, 10, 200);
        // A new row duplicating an old value violates Unique; the old rows are not rescanned.
        expect(result.outcomes[2]).toMatchObject({ violations: 1, sample: [{ key: { id: '207' }, value: '1005' }] });
      });

      it('keeps the mark when nothing is new', async () => {
        const result = await sut.scan(
          target(),
          { container: 'orders', checks: [{ type: 'not_null', field: 'note' }], incremental: { column: 'id', after: '207' } },
          within(),
        );
        expect(result).toMatchObject({ scannedRows: 0, highWaterMark: '207' });
        expect(result.outcomes[0]).toMatchObject({ violations: 0, sample: [] });
      });

      it('works on a timestamp column', async () => {
        const result = await sut.scan(
          target(),
          { container: 'orders', checks: [{ type: 'not_future', field: 'ordered_at' }], incremental: { column: 'ordered_at', after: '2999-01-01 00:00:00' } },
          within(),
        );
        const future = (await valuesOf('orders', 'ordered_at')).filter((r) => r.v !== null && r.v > '2999-01-01 00:00:00');
        expect(result.scannedRows).toBe(future.length);
        expect(result.highWaterMark).toBe(future.map((r) => r.v as string).sort().at(-1));
        expect(result.outcomes[0]?.violations).toBe(future.length);
      });
    });
  });

  describe('time and cancellation', () => {
    it('stops a long statement at the deadline', async () => {
      const began = Date.now();
      await expectFailure(sut.profile(target(), { container: 'slow', inferenceLevel: 0 }, within(1_000)), OperationErrorCode.DEADLINE_EXCEEDED);
      expect(Date.now() - began).toBeLessThan(2_500);
    });

    it('stops a long statement when the caller aborts', async () => {
      const controller = new AbortController();
      const began = Date.now();
      setTimeout(() => controller.abort(), 500);
      await expectFailure(
        sut.profile(target(), { container: 'slow', inferenceLevel: 0 }, { ...within(), signal: controller.signal }),
        OperationErrorCode.ABORTED,
      );
      expect(Date.now() - began).toBeLessThan(2_000);
    });

    it('does not start when already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await expectFailure(sut.sync(target(), { ...within(), signal: controller.signal }), OperationErrorCode.ABORTED);
    });
  });

  describe('re-sync', () => {
    it('reports added, removed and changed containers and fields', async () => {
      const before = await sut.sync(target(), within());
      await admin(async (client) => {
        await client.query(`ALTER TABLE ${SCHEMA}.customers ADD COLUMN phone text`);
        await client.query(`ALTER TABLE ${SCHEMA}.customers DROP COLUMN nickname`);
        await client.query(`ALTER TABLE ${SCHEMA}.customers ALTER COLUMN name SET NOT NULL`);
        await client.query(`DROP TABLE ${SCHEMA}.to_drop`);
        await client.query(`CREATE TABLE ${SCHEMA}.added (id bigint PRIMARY KEY)`);
      });
      const after = await sut.sync(target(), within());

      const diff = diffCatalog(before.containers, after.containers);
      expect(diff.added.map((c) => c.id)).toEqual(['shop.added']);
      expect(diff.removed.map((c) => c.id)).toEqual(['shop.to_drop']);
      expect(diff.changed).toEqual([
        {
          id: 'shop.customers',
          changes: [],
          fieldsAdded: [expect.objectContaining({ name: 'phone', ordinal: 4, type: 'string', nullable: true })],
          fieldsRemoved: [expect.objectContaining({ name: 'nickname' })],
          fieldsChanged: [{ field: 'name', changes: [{ property: 'nullable', from: true, to: false }] }],
        },
      ]);
      expect(diff.unchanged).toEqual(['shop.big_orders', 'shop.empty_t', 'shop.order_totals', 'shop.orders', 'shop.slow']);
    });
  });
});
