import { randomBytes } from 'node:crypto';
import { closedLoopbackPort, createMysqlDatabase, mysqlAdmin, serviceUrl, type TestDatabase } from '@plumbline/testing';
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
import { MysqlConnector } from './mysql.connector';
import { profileMysql } from './mysql.profile';
import { quoteMysqlIdentifier as quote } from './mysql.protocol';
import { withMysqlSession } from './mysql.session';

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

describe(`${MysqlConnector.name} operations`, () => {
  const sut = new MysqlConnector();
  /** Planted in every target: it must never show up in a result or an error. */
  const password = `Pl4nted-${randomBytes(9).toString('base64url')}`;
  const user = `pl_ops_${randomBytes(4).toString('hex')}`;
  let database: TestDatabase;
  let db: string;
  let host: string;
  let port: number;

  const target = (properties: Record<string, string> = {}): ConnectorTarget => ({
    connector: 'mysql',
    authMethod: 'basic',
    properties: { host, port: String(port), username: user, password, ssl_mode: 'prefer', ...properties },
    scope: { database: database.name },
  });
  const within = (ms = 30_000) => ({ deadline: Date.now() + ms });
  const id = (table: string) => `${database.name}.${table}`;

  /** The independent oracle's input: `SELECT id, CAST(field AS CHAR)` of a small test table. */
  async function valuesOf(table: string, field: string): Promise<{ id: number; v: string | null }[]> {
    return mysqlAdmin(async (admin) => {
      const [rows] = await admin.query(`SELECT id, CAST(${quote(field)} AS CHAR) AS v FROM ${db}.${quote(table)} ORDER BY id`);
      return (rows as { id: number; v: string | null }[]).map((r) => ({ id: Number(r.id), v: r.v === null ? null : String(r.v) }));
    });
  }

  async function insertOrders(rows: readonly OrderRow[]): Promise<void> {
    const values: unknown[] = [];
    const tuples = rows.map((row) => `(${ORDER_COLUMNS.map((column) => (values.push(row[column]), '?')).join(', ')})`);
    await mysqlAdmin((admin) => admin.query(`INSERT INTO ${db}.orders (${ORDER_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values));
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
    const url = new URL(await serviceUrl('mysql'));
    host = url.hostname;
    port = Number(url.port || 3306);
    database = await createMysqlDatabase('plumbline_ops_my');
    db = quote(database.name);
    await mysqlAdmin(async (admin) => {
      await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
      await admin.query(`GRANT SELECT, SHOW VIEW ON ${db}.* TO '${user}'@'%'`);
      await admin.query(`CREATE TABLE ${db}.customers (
        id INT PRIMARY KEY, email VARCHAR(80), name VARCHAR(50), nickname VARCHAR(50),
        UNIQUE KEY uq_customers_email (email)) DEFAULT CHARSET = utf8mb4`);
      await admin.query(`CREATE TABLE ${db}.orders (
        id INT PRIMARY KEY,
        customer_id INT NOT NULL,
        ref VARCHAR(20) NOT NULL,
        quantity INT,
        amount DECIMAL(10, 2),
        ratio DOUBLE NOT NULL,
        status VARCHAR(20) NOT NULL,
        note VARCHAR(100),
        contact VARCHAR(60) NOT NULL,
        ordered_at DATETIME NOT NULL,
        ship_date DATE,
        code UUID,
        flag BOOLEAN,
        payload JSON,
        legacy TEXT,
        UNIQUE KEY uq_orders_code (code),
        CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES ${db}.customers (id)) DEFAULT CHARSET = utf8mb4`);
      await admin.query(`CREATE TABLE ${db}.to_drop (id INT)`);
      await admin.query(`CREATE VIEW ${db}.big_orders AS SELECT id, amount, status FROM ${db}.orders WHERE amount > 100`);
      await admin.query(`CREATE VIEW ${db}.slow AS SELECT SLEEP(3) AS x`);
      const values = CUSTOMERS.flatMap((c) => [c.id, c.email, c.name, c.nickname]);
      await admin.query(`INSERT INTO ${db}.customers VALUES ${CUSTOMERS.map(() => '(?, ?, ?, ?)').join(', ')}`, values);
    });
    await insertOrders(orderRows(1, 200));
  });

  afterAll(async () => {
    await database?.drop();
    await mysqlAdmin((admin) => admin.query(`DROP USER IF EXISTS '${user}'@'%'`));
  });

  describe('sync', () => {
    let first: SyncResult;
    const progress: Progress[] = [];

    beforeAll(async () => {
      first = await sut.sync(target(), { ...within(), progress: (p) => progress.push(p) });
    });

    it('lists tables and views by database-qualified id', () => {
      expect(first.containers.map((c) => [c.id, c.kind])).toEqual([
        [id('big_orders'), 'view'],
        [id('customers'), 'table'],
        [id('orders'), 'table'],
        [id('slow'), 'view'],
        [id('to_drop'), 'table'],
      ]);
      expect(progress.length).toBeGreaterThan(0);
    });

    it('describes fields with declared and normalized types, nullability and key membership', () => {
      const orders = first.containers.find((c) => c.name === 'orders');
      expect(orders?.primaryKey).toEqual(['id']);
      expect(orders?.uniqueKeys).toEqual([{ name: 'uq_orders_code', fields: ['code'] }]);
      expect(orders?.foreignKeys).toEqual([
        { name: 'fk_orders_customer', fields: ['customer_id'], references: { container: id('customers'), fields: ['id'] } },
      ]);
      const fields = orders?.fields.map((f) => [f.ordinal, f.name, f.declaredType, f.type, f.nullable, f.primaryKey, f.unique, f.foreignKey]);
      expect(fields).toEqual([
        [1, 'id', 'int(11)', 'integer', false, true, false, false],
        [2, 'customer_id', 'int(11)', 'integer', false, false, false, true],
        [3, 'ref', 'varchar(20)', 'string', false, false, false, false],
        [4, 'quantity', 'int(11)', 'integer', true, false, false, false],
        [5, 'amount', 'decimal(10,2)', 'decimal', true, false, false, false],
        [6, 'ratio', 'double', 'float', false, false, false, false],
        [7, 'status', 'varchar(20)', 'string', false, false, false, false],
        [8, 'note', 'varchar(100)', 'string', true, false, false, false],
        [9, 'contact', 'varchar(60)', 'string', false, false, false, false],
        [10, 'ordered_at', 'datetime', 'timestamp', false, false, false, false],
        [11, 'ship_date', 'date', 'date', true, false, false, false],
        [12, 'code', 'uuid', 'uuid', true, false, true, false],
        [13, 'flag', 'tinyint(1)', 'boolean', true, false, false, false],
        [14, 'payload', 'longtext', 'json', true, false, false, false],
        [15, 'legacy', 'text', 'string', true, false, false, false],
      ]);
      const customers = first.containers.find((c) => c.name === 'customers');
      expect(customers?.fields.find((f) => f.name === 'email')).toMatchObject({ unique: true, primaryKey: false });
      const view = first.containers.find((c) => c.name === 'big_orders');
      expect(view?.fields.map((f) => [f.name, f.type])).toEqual([
        ['id', 'integer'],
        ['amount', 'decimal'],
        ['status', 'string'],
      ]);
    });

    it('fails with UNAVAILABLE on a closed port, without the password in the error', async () => {
      const closed = await closedLoopbackPort();
      const error = await expectFailure(sut.sync(target({ port: String(closed) }), within()), OperationErrorCode.UNAVAILABLE);
      expect(error.message).toContain('refused');
    });

    it('fails with PERMISSION_DENIED on a wrong password, without either password in the error', async () => {
      const wrong = `Wr0ng-${randomBytes(6).toString('hex')}`;
      const error = await expectFailure(sut.sync(target({ password: wrong }), within()), OperationErrorCode.PERMISSION_DENIED);
      expect(error.message).not.toContain(wrong);
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

    /** Every figure of one field against the reference computed in Node from `SELECT CAST(field AS CHAR)`. */
    async function verifyField(table: string, profile: FieldProfile): Promise<void> {
      const rows = await valuesOf(table, profile.field);
      const values = rows.map((r) => r.v);
      const present = values.filter((v): v is string => v !== null);
      expect(profile.rowCount).toBe(values.length);
      expect(profile.nullCount).toBe(values.length - present.length);
      expect(profile.nonNullCount).toBe(present.length);
      expect(profile.completeness).toBeCloseTo(values.length === 0 ? 1 : present.length / values.length, 12);
      // The fixture has no two texts that the column's collation calls equal.
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
        const [low, high] = await mysqlAdmin(async (admin) => {
          const column = quote(profile.field);
          const sql = (dir: string) =>
            `SELECT ${column} AS v FROM ${db}.${quote(table)} WHERE ${column} IS NOT NULL ORDER BY ${column} ${dir} LIMIT 1`;
          const [asc] = await admin.query(sql('ASC'));
          const [desc] = await admin.query(sql('DESC'));
          return [(asc as { v: string }[])[0]?.v, (desc as { v: string }[])[0]?.v];
        });
        expect([profile.min, profile.max]).toEqual([low, high]);
      }
      if (profile.type === 'boolean') {
        expect(profile.min).toBe(present.includes('0') ? 'false' : 'true');
        expect(profile.max).toBe(present.some((v) => v !== '0') ? 'true' : 'false');
      }
      if (profile.type === 'uuid') {
        const sorted = [...present].sort();
        expect([profile.min, profile.max]).toEqual([sorted[0], sorted.at(-1)]);
      }
      if (profile.type === 'json') expect([profile.min, profile.max]).toEqual([null, null]);
    }

    it('profiles every field of a table in one aggregate pass, after a shape probe and before one expected-values query', () => {
      expect(orders.container).toBe(id('orders'));
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

    it("computes the same quartiles with MySQL's offset strategy as with MariaDB's window functions", async () => {
      const offset = await withMysqlSession(target(), within(), (session) =>
        profileMysql(session, { container: 'orders', inferenceLevel: 0 }, { quantiles: 'offset' }),
      );
      expect(offset.statements).toBe(3);
      for (const field of ['id', 'quantity', 'amount', 'ratio', 'ordered_at', 'ship_date']) {
        const window = orders.fields.find((f) => f.field === field);
        const other = offset.fields.find((f) => f.field === field);
        const quartiles = (f: FieldProfile | undefined) =>
          [f?.q1, f?.median, f?.q3].map((q) => (isNumeric(f?.type ?? 'other') ? Number(q) : q));
        expect(quartiles(other)).toEqual(quartiles(window));
      }
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
      expect(byKey.get('between_times:ship_date')).toMatchObject({ min: '2021-01-04', max: '2030-06-01' });
      for (const key of ['unique:id', 'unique:code', 'unique:contact', 'unique:ordered_at']) expect(byKey.has(key)).toBe(true);
      for (const key of ['unique:ref', 'unique:payload', 'not_future:ordered_at', 'not_negative:quantity', 'matches_pattern:contact']) {
        expect(byKey.has(key)).toBe(false);
      }
      expect(customers.checks.find((c) => c.key === 'matches_pattern:email')).toMatchObject({ shape: 'email', pattern: PATTERNS.email });
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

    it('counts only the shapes the first rows leave possible, and still sees a counterexample after them', async () => {
      const rows = SHAPE_PROBE_ROWS + 50;
      await mysqlAdmin((admin) =>
        admin.query(`CREATE TABLE ${db}.shapes AS
          WITH RECURSIVE s (g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${rows})
          SELECT g AS id, CASE WHEN g = ${rows} THEN 'n/a' ELSE CAST(g AS CHAR) END AS code, CONCAT('x', g) AS free FROM s`),
      );
      try {
        const result = await sut.profile(target(), { container: 'shapes', inferenceLevel: 2 }, within());
        const field = (name: string) => result.fields.find((f) => f.field === name);
        expect(field('code')).toMatchObject({ patternCounts: { integer: rows - 1, decimal: rows - 1 }, inferredType: 'string' });
        expect(field('free')?.patternCounts).toEqual({});
      } finally {
        await mysqlAdmin((admin) => admin.query(`DROP TABLE ${db}.shapes`));
      }
    });

    it('profiles the first rows up to the record limit', async () => {
      const result = await sut.profile(target(), { container: 'orders', recordLimit: 50, inferenceLevel: 0 }, within());
      expect(result.profiledRows).toBe(50);
      expect(result.fields.every((f) => f.rowCount === 50)).toBe(true);
    });

    it('profiles a RAND() < f sample, with expected values from the same sample', async () => {
      const result = await sut.profile(target(), { container: 'orders', sampleFraction: 0.5, inferenceLevel: 1 }, within());
      expect(result.profiledRows).toBeGreaterThan(40);
      expect(result.profiledRows).toBeLessThan(160);
      expect(result.checks.find((c) => c.key === 'expected_values:status')).toBeDefined();
    });

    it('profiles an empty table without figures and infers nothing', async () => {
      await mysqlAdmin((admin) => admin.query(`CREATE TABLE ${db}.empty_t (n INT, s TEXT, d DATE)`));
      const result = await sut.profile(target(), { container: 'empty_t', inferenceLevel: 2 }, within());
      expect(result.profiledRows).toBe(0);
      expect(result.checks).toEqual([]);
      for (const f of result.fields) {
        expect(f).toMatchObject({ rowCount: 0, nullCount: 0, completeness: 1, distinctCount: 0, min: null, max: null, mean: null, median: null });
      }
    });

    it('rejects bad input and unknown containers', async () => {
      await expectFailure(sut.profile(target(), { container: 'orders', sampleFraction: 1.5 }, within()), OperationErrorCode.INVALID_ARGUMENT);
      await expectFailure(sut.profile(target(), { container: 'ghost' }, within()), OperationErrorCode.NOT_FOUND);
    });
  });

  describe('scan', () => {
    type Predicate = (v: string | null) => boolean;
    const nowText = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

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

    it('Not Future: datetimes and dates after now', async () => {
      await expectOutcome(outcomes.get('not_future:ordered_at'), 'ordered_at', (v) => v !== null && v > nowText());
      await expectOutcome(outcomes.get('not_future:ship_date'), 'ship_date', (v) => v !== null && v > nowText().slice(0, 10));
    });

    it('Between: numbers outside min..max (decimal and double)', async () => {
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
        sut.scan(target(), { container: 'orders', checks: [{ type: 'between_times', field: 'amount', min: '2020-01-01', max: '2021-01-01' }] }, within()),
        OperationErrorCode.INVALID_ARGUMENT,
      );
      await expectFailure(
        sut.scan(target(), { container: 'orders', checks: [{ type: 'not_null', field: 'ghost' }] }, within()),
        OperationErrorCode.NOT_FOUND,
      );
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
        expect(result.outcomes[2]).toMatchObject({ violations: 1, sample: [{ key: { id: '207' }, value: '1005' }] });
      });

      it('keeps the mark when nothing is new', async () => {
        const result = await sut.scan(
          target(),
          { container: 'orders', checks: [{ type: 'not_null', field: 'note' }], incremental: { column: 'id', after: '207' } },
          within(),
        );
        expect(result).toMatchObject({ scannedRows: 0, highWaterMark: '207' });
      });

      it('works on a datetime column', async () => {
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
  });

  describe('re-sync', () => {
    it('reports added, removed and changed containers and fields', async () => {
      const before = await sut.sync(target(), within());
      await mysqlAdmin(async (admin) => {
        await admin.query(`ALTER TABLE ${db}.customers ADD COLUMN phone VARCHAR(20)`);
        await admin.query(`ALTER TABLE ${db}.customers DROP COLUMN nickname`);
        await admin.query(`ALTER TABLE ${db}.customers MODIFY name VARCHAR(50) NOT NULL`);
        await admin.query(`DROP TABLE ${db}.to_drop`);
        await admin.query(`CREATE TABLE ${db}.added (id BIGINT PRIMARY KEY)`);
      });
      const after = await sut.sync(target(), within());

      const diff = diffCatalog(before.containers, after.containers);
      expect(diff.added.map((c) => c.id)).toEqual([id('added')]);
      expect(diff.removed.map((c) => c.id)).toEqual([id('to_drop')]);
      expect(diff.changed).toEqual([
        {
          id: id('customers'),
          changes: [],
          fieldsAdded: [expect.objectContaining({ name: 'phone', ordinal: 4, type: 'string', nullable: true })],
          fieldsRemoved: [expect.objectContaining({ name: 'nickname' })],
          fieldsChanged: [{ field: 'name', changes: [{ property: 'nullable', from: true, to: false }] }],
        },
      ]);
      expect(diff.unchanged).toEqual([id('big_orders'), id('empty_t'), id('orders'), id('slow')]);
    });
  });
});
