'use strict';
// Node.js client for the example services. It speaks only the wire conventions (authorization,
// accept-language, traceparent, x-trace-id, grpc-status-details-bin with google.rpc details), so
// it proves that a non-Java caller sees what the Java chain promises.
//
//   node client.js [--target 127.0.0.1:50051] [--token demo-token] [--check]
//   node client.js --otel [--zipkin http://127.0.0.1:9411] [--name Node] [--target ...] [--check]
//
// Without --check it prints what a user sees; with --check it asserts the contract of
// shared/docs/DESIGN.md and exits non-zero on the first broken promise, including the
// google.rpc.BadRequest of the buf.validate rules (English and zh-CN) and the RetryInfo and
// QuotaFailure of the rate limit on ExportUsers, all decoded here with protobufjs. It needs
// ../target/proto-imports/buf/validate/validate.proto, which the examples' build unpacks. With --otel it makes one
// SayHello call inside an OpenTelemetry CLIENT span (SDK tracer, W3C propagator) and prints the
// span's ids, so a test can check that the Java server's span continues it; --zipkin also sends
// that span to a Zipkin server (@opentelemetry/exporter-zipkin) as service example-node-client,
// and --name sets the name to greet (the example server's Go guestbook refuses "mallory").

const path = require('path');
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const fs = require('fs');

const args = parseArgs(process.argv.slice(2));
const PROTO_DIR = path.join(__dirname, '..', 'src', 'main', 'proto');
// example.proto imports buf/validate/validate.proto (its protovalidate rules). The examples' build
// takes that file from the protovalidate jar (Apache-2.0, header intact) into target/proto-imports.
const VALIDATE_DIR = path.join(__dirname, '..', 'target', 'proto-imports');
const GOOGLE_PROTOS = path.dirname(require.resolve('google-proto-files/package.json'));

if (!fs.existsSync(path.join(VALIDATE_DIR, 'buf', 'validate', 'validate.proto'))) {
  console.error(`buf/validate/validate.proto is missing in ${VALIDATE_DIR}: build the examples first`
    + ' (./demo.sh, or ./mvnw -B -pl examples -am package -DskipTests)');
  process.exit(2);
}
const example = grpc.loadPackageDefinition(
  protoLoader.loadSync('example.proto', {
    keepCase: false, longs: Number, defaults: true, includeDirs: [PROTO_DIR, VALIDATE_DIR],
  })
).example;
const rpcRoot = loadRpcTypes();
const Status = rpcRoot.lookupType('google.rpc.Status');

function parseArgs(argv) {
  const out = {
    target: '127.0.0.1:50051', token: process.env.DEMO_TOKEN || 'demo-token', check: false, otel: false,
    zipkin: null, name: 'Node (OpenTelemetry)',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--check') out.check = true;
    else if (argv[i] === '--otel') out.otel = true;
    else if (argv[i] === '--target') out.target = argv[++i];
    else if (argv[i] === '--token') out.token = argv[++i];
    else if (argv[i] === '--zipkin') out.zipkin = argv[++i];
    else if (argv[i] === '--name') out.name = argv[++i];
    else throw new Error('unknown argument: ' + argv[i]);
  }
  return out;
}

function loadRpcTypes() {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (target.startsWith('google/protobuf/')) return target; // protobufjs ships these
    return path.join(GOOGLE_PROTOS, target);
  };
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
  root.resolveAll();
  return root;
}

// Decodes grpc-status-details-bin into { code, message, details: [{ type, ...fields }] }.
function decodeDetails(metadata) {
  const raw = metadata && metadata.get('grpc-status-details-bin')[0];
  if (!raw) return null;
  const status = Status.decode(raw);
  const details = status.details.map((any) => {
    const typeName = any.type_url.substring(any.type_url.lastIndexOf('/') + 1);
    const type = rpcRoot.lookupType(typeName);
    return Object.assign({ type: typeName },
      type.toObject(type.decode(any.value), { defaults: true, longs: Number }));
  });
  return { code: status.code, message: status.message, details };
}

function newTraceparent() {
  const traceId = crypto.randomBytes(16).toString('hex');
  const spanId = crypto.randomBytes(8).toString('hex');
  return { traceId, header: `00-${traceId}-${spanId}-01` };
}

function md(headers) {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) m.set(k, v);
  return m;
}

// Unary call returning { error, response, headers, trailers }.
function unary(client, method, request, headers) {
  return new Promise((resolve) => {
    const result = { headers: null };
    const call = client[method](request, md(headers), { deadline: Date.now() + 10000 }, (error, response) => {
      result.error = error;
      result.response = response;
      result.trailers = error ? error.metadata : null;
      resolve(result);
    });
    call.on('metadata', (m) => { result.headers = m; });
  });
}

function serverStream(client, method, request, headers) {
  return new Promise((resolve) => {
    const items = [];
    const call = client[method](request, md(headers), { deadline: Date.now() + 10000 });
    call.on('data', (d) => items.push(d));
    call.on('error', (error) => resolve({ error, items, trailers: error.metadata }));
    call.on('end', () => resolve({ items }));
  });
}

function clientStream(client, method, requests, headers) {
  return new Promise((resolve) => {
    const call = client[method](md(headers), { deadline: Date.now() + 10000 }, (error, response) =>
      resolve({ error, response, trailers: error ? error.metadata : null }));
    for (const r of requests) call.write(r);
    call.end();
  });
}

function bidi(client, method, requests, headers) {
  return new Promise((resolve) => {
    const items = [];
    const call = client[method](md(headers), { deadline: Date.now() + 10000 });
    call.on('data', (d) => items.push(d));
    call.on('error', (error) => resolve({ error, items, trailers: error.metadata }));
    call.on('end', () => resolve({ items }));
    for (const r of requests) call.write(r);
    call.end();
  });
}

const failures = [];
function expect(condition, what, actual) {
  if (args.check && !condition) failures.push(`${what} (got: ${JSON.stringify(actual)})`);
  if (args.check) console.log(`${condition ? 'PASS' : 'FAIL'} ${what}`);
}

function show(label, r) {
  if (args.check) return;
  if (r.error) {
    const d = decodeDetails(r.trailers);
    console.log(`${label}: ${grpc.status[r.error.code]} "${r.error.details}"`);
    if (d) {
      for (const det of d.details) {
        if (det.type === 'google.rpc.BadRequest') {
          for (const v of det.field_violations) console.log(`    BadRequest ${v.field}: ${v.description}`);
        } else if (det.type === 'google.rpc.RetryInfo') {
          console.log(`    RetryInfo retry in ${retryDelayMs(det)} ms`);
        } else if (det.type === 'google.rpc.QuotaFailure') {
          for (const v of det.violations) console.log(`    QuotaFailure ${v.subject}: ${v.description}`);
        } else {
          console.log(`    ${det.type} ${JSON.stringify(stripType(det))}`);
        }
      }
    }
    const traceId = r.trailers && r.trailers.get('x-trace-id')[0];
    if (traceId) console.log(`    x-trace-id ${traceId}`);
  } else {
    console.log(`${label}: OK ${JSON.stringify(r.response || r.items)}`);
  }
}

function stripType(o) {
  const copy = Object.assign({}, o);
  delete copy.type;
  return copy;
}

// google.protobuf.Duration of a decoded RetryInfo, in milliseconds.
function retryDelayMs(retryInfo) {
  const d = retryInfo && retryInfo.retry_delay;
  return d ? Math.round(Number(d.seconds) * 1000 + d.nanos / 1e6) : NaN;
}

function detail(r, type) {
  const d = decodeDetails(r.trailers);
  return d ? d.details.find((x) => x.type === type) : undefined;
}

async function main() {
  const creds = grpc.credentials.createInsecure();
  const greeter = new example.Greeter(args.target, creds);
  const users = new example.UserService(args.target, creds);
  const auth = `Bearer ${args.token}`;

  // Trace id round trip: a valid traceparent keeps its trace id.
  const tp = newTraceparent();
  let r = await unary(greeter, 'sayHello', { name: 'Node' }, { traceparent: tp.header });
  const echoed = r.headers && r.headers.get('x-trace-id')[0];
  if (!args.check) console.log(`SayHello: OK "${r.response && r.response.message}" sent trace ${tp.traceId}, got x-trace-id ${echoed}`);
  expect(!r.error && /Node/.test(r.response.message), 'SayHello answers', r.error || r.response);
  expect(echoed === tp.traceId, 'x-trace-id echoes the traceparent trace id', echoed);

  r = await unary(greeter, 'sayHello', { name: 'Node' }, { traceparent: 'garbage' });
  const fresh = r.headers && r.headers.get('x-trace-id')[0];
  expect(!r.error && /^[0-9a-f]{32}$/.test(fresh || ''), 'invalid traceparent gets a new trace id', fresh);

  r = await unary(users, 'getUser', { id: 1 }, { authorization: auth });
  show('GetUser(1)', r);
  expect(!r.error && r.response.id === 1 && r.response.name.length > 0, 'GetUser(1) returns user 1', r.error || r.response);

  for (const lang of ['en', 'zh-CN']) {
    r = await unary(users, 'getUser', { id: 999 }, { authorization: auth, 'accept-language': lang });
    show(`GetUser(999) [${lang}]`, r);
    const lm = detail(r, 'google.rpc.LocalizedMessage');
    expect(r.error && r.error.code === grpc.status.NOT_FOUND, `GetUser(999) [${lang}] is NOT_FOUND`, r.error && r.error.code);
    expect(lm && lm.locale === lang && lm.message.includes('999'), `LocalizedMessage in ${lang} names the id`, lm);
    expect(r.error && r.error.details === (lm && lm.message), `description is the localized text [${lang}]`, r.error && r.error.details);
    const cl = r.trailers && r.trailers.get('content-language')[0];
    expect(cl === lang, `content-language is ${lang}`, cl);
  }
  expect(/[\u4e00-\u9fff]/.test(r.error ? r.error.details : ''), 'zh-CN description is written in Chinese', r.error && r.error.details);

  // id > 0 is a buf.validate rule of example.proto, checked by the server chain's validation part.
  r = await unary(users, 'getUser', { id: 0 }, { authorization: auth });
  show('GetUser(0)', r);
  const br = detail(r, 'google.rpc.BadRequest');
  expect(r.error && r.error.code === grpc.status.INVALID_ARGUMENT, 'GetUser(0) is INVALID_ARGUMENT', r.error && r.error.code);
  expect(br && br.field_violations.some((v) => v.field === 'id'), 'BadRequest names field id', br);
  expect(br && br.field_violations.some((v) => v.field === 'id' && v.description === 'Must be greater than 0.'),
    'BadRequest says id must be greater than 0', br);

  const tp500 = newTraceparent();
  r = await unary(users, 'getUser', { id: 500 }, { authorization: auth, traceparent: tp500.header });
  show('GetUser(500)', r);
  expect(r.error && r.error.code === grpc.status.INTERNAL, 'GetUser(500) is INTERNAL', r.error && r.error.code);
  expect(r.error && r.error.details.includes(tp500.traceId), 'INTERNAL description carries the trace id', r.error && r.error.details);
  expect(r.error && !/secret|Exception|at io\./i.test(r.error.details), 'INTERNAL leaks no exception text', r.error && r.error.details);

  r = await unary(users, 'getUser', { id: 1 }, {});
  show('GetUser(1) without token', r);
  expect(r.error && r.error.code === grpc.status.UNAUTHENTICATED, 'missing token is UNAUTHENTICATED', r.error && r.error.code);
  r = await unary(users, 'getUser', { id: 1 }, { authorization: 'Bearer wrong' });
  expect(r.error && r.error.code === grpc.status.UNAUTHENTICATED, 'wrong token is UNAUTHENTICATED', r.error && r.error.code);
  expect(r.error && !r.error.details.includes('wrong'), 'rejection does not echo the token', r.error && r.error.details);

  r = await serverStream(users, 'listUsers', {}, { authorization: auth });
  show('ListUsers', r);
  expect(!r.error && r.items.map((u) => u.id).join(',') === '1,2,3', 'ListUsers streams users 1, 2, 3', r.error || r.items);

  r = await clientStream(users, 'createUsers', [{ name: 'ada', email: 'ada@example.com' }, { name: 'bob', email: 'bob@example.com' }], { authorization: auth });
  show('CreateUsers', r);
  expect(!r.error && r.response.created === 2, 'CreateUsers counts 2', r.error || r.response);

  // The second user has no email: the rule on email ignores an empty one.
  r = await clientStream(users, 'createUsers', [{ name: 'ada' }, { name: '' }], { authorization: auth });
  show('CreateUsers with empty name', r);
  const br2 = detail(r, 'google.rpc.BadRequest');
  expect(r.error && r.error.code === grpc.status.INVALID_ARGUMENT, 'empty name is INVALID_ARGUMENT', r.error && r.error.code);
  expect(br2 && br2.field_violations.some((v) => v.field === 'name'), 'BadRequest names field name', br2);
  expect(br2 && br2.field_violations.length === 1, 'an empty email is not a violation', br2);

  // Two broken rules in one message, described in the caller's language.
  const expectedViolations = {
    en: [['name', 'Length must be at least 1.'], ['email', 'Must be a valid email address.']],
    'zh-CN': [['name', '长度不能少于 1。'], ['email', '必须是有效的电子邮件地址。']],
  };
  for (const lang of ['en', 'zh-CN']) {
    r = await clientStream(users, 'createUsers', [{ name: 'ada', email: 'ada@example.com' }, { name: '', email: 'not-an-email' }],
      { authorization: auth, 'accept-language': lang });
    show(`CreateUsers(ada, "" <not-an-email>) [${lang}]`, r);
    const bad = detail(r, 'google.rpc.BadRequest');
    const got = bad ? bad.field_violations.map((v) => [v.field, v.description]) : null;
    expect(r.error && r.error.code === grpc.status.INVALID_ARGUMENT, `invalid user [${lang}] is INVALID_ARGUMENT`, r.error && r.error.code);
    expect(JSON.stringify(got) === JSON.stringify(expectedViolations[lang]),
      `BadRequest [${lang}] decoded: ${expectedViolations[lang].map((v) => v.join(': ')).join(' | ')}`, got);
    const lm = detail(r, 'google.rpc.LocalizedMessage');
    expect(lm && lm.locale === lang && r.error.details === lm.message, `validation message is localized [${lang}]`, lm);
  }
  expect(/[\u4e00-\u9fff]/.test(r.error ? r.error.details : ''), 'zh-CN validation description is written in Chinese', r.error && r.error.details);

  r = await bidi(users, 'chat', [{ text: 'hello' }, { text: '你好 🌏' }], { authorization: auth });
  show('Chat', r);
  expect(!r.error && r.items.map((m) => m.text).join('|') === 'hello|你好 🌏', 'Chat echoes each text', r.error || r.items);

  r = await bidi(users, 'chat', [{ text: 'panic' }], { authorization: auth });
  show('Chat(panic)', r);
  expect(r.error && r.error.code === grpc.status.INTERNAL, 'Chat(panic) is INTERNAL', r.error && r.error.code);

  // ExportUsers: 2 calls a minute per caller (one token every 30 s). Call until rejected, at most 3
  // times (earlier callers may have used the tokens already), then once more in Chinese.
  for (const lang of ['en', 'zh-CN']) {
    let calls = 0;
    do {
      r = await unary(users, 'exportUsers', {}, { authorization: auth, 'accept-language': lang });
      calls++;
      show(`ExportUsers #${calls} [${lang}]`, r);
    } while (!r.error && calls < 3);
    const retry = detail(r, 'google.rpc.RetryInfo');
    const quota = detail(r, 'google.rpc.QuotaFailure');
    const info = detail(r, 'google.rpc.ErrorInfo');
    const delay = retryDelayMs(retry);
    expect(r.error && r.error.code === grpc.status.RESOURCE_EXHAUSTED, `ExportUsers over the limit is RESOURCE_EXHAUSTED [${lang}]`, r.error && r.error.code);
    expect(delay > 0 && delay <= 30000, `RetryInfo decoded: retry in ${delay} ms (0 < delay <= 30 s, one token every 30 s) [${lang}]`, retry);
    expect(quota && quota.violations.length === 1 && quota.violations[0].subject === 'principal:demo-user'
      && quota.violations[0].description.startsWith('export-per-caller:'),
      `QuotaFailure decoded: ${quota && quota.violations[0] && quota.violations[0].subject + ' ' + quota.violations[0].description} [${lang}]`, quota);
    expect(info && info.reason === 'RATE_LIMIT_EXCEEDED' && info.metadata.limit === 'export-per-caller',
      `ErrorInfo reason RATE_LIMIT_EXCEEDED names the limit [${lang}]`, info);
    const lm = detail(r, 'google.rpc.LocalizedMessage');
    expect(lm && lm.locale === lang && r.error.details === lm.message, `limit message is localized [${lang}]`, lm);
  }
  expect(/[\u4e00-\u9fff]/.test(r.error ? r.error.details : ''), 'zh-CN limit description is written in Chinese', r.error && r.error.details);

  greeter.close();
  users.close();
  if (args.check) {
    if (failures.length > 0) {
      console.error(`node client check: ${failures.length} failed`);
      for (const f of failures) console.error('  ' + f);
      process.exit(1);
    }
    console.log('node client check: all passed');
  }
}

// One SayHello inside an OpenTelemetry CLIENT span; prints the span (and, with --check, asserts
// that the server answered with the span's trace id in x-trace-id).
async function otelMain() {
  const api = require('@opentelemetry/api');
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core');

  const exporter = new InMemorySpanExporter();
  const spanProcessors = [new SimpleSpanProcessor(exporter)];
  if (args.zipkin) {
    const { ZipkinExporter } = require('@opentelemetry/exporter-zipkin');
    const url = args.zipkin.replace(/\/+$/, '').replace(/(\/api\/v2\/spans)?$/, '/api/v2/spans');
    spanProcessors.push(new SimpleSpanProcessor(new ZipkinExporter({ url })));
  }
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'example-node-client' }),
    spanProcessors,
  });
  const tracer = provider.getTracer('example-node-client');
  const propagator = new W3CTraceContextPropagator();
  const greeter = new example.Greeter(args.target, grpc.credentials.createInsecure());

  const span = tracer.startSpan('example.Greeter/SayHello', {
    kind: api.SpanKind.CLIENT,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': 'example.Greeter', 'rpc.method': 'SayHello' },
  });
  const carrier = {};
  propagator.inject(api.trace.setSpan(api.context.active(), span), carrier, api.defaultTextMapSetter);
  const r = await unary(greeter, 'sayHello', { name: args.name }, carrier);
  span.setAttribute('rpc.grpc.status_code', r.error ? r.error.code : 0);
  if (r.error) span.setStatus({ code: api.SpanStatusCode.ERROR, message: grpc.status[r.error.code] });
  span.end();
  greeter.close();

  const ids = span.spanContext();
  const finished = exporter.getFinishedSpans();
  const echoed = (r.headers && r.headers.get('x-trace-id')[0]) || (r.trailers && r.trailers.get('x-trace-id')[0]);
  console.log(`node span name=${span.name} kind=CLIENT traceId=${ids.traceId} spanId=${ids.spanId} sampled=${(ids.traceFlags & 1) === 1} exported=${finished.length}`);
  console.log(`node sent traceparent ${carrier.traceparent}`);
  console.log(`SayHello: ${r.error ? grpc.status[r.error.code] + ' "' + r.error.details + '"' : 'OK "' + r.response.message + '"'}, x-trace-id ${echoed}`);
  expect(!r.error, 'SayHello answers', r.error);
  expect(finished.length === 1, 'the client span is exported', finished.length);
  expect(echoed === ids.traceId, 'x-trace-id is the client span\'s trace id', echoed);
  await provider.shutdown();
  if (args.check) {
    if (failures.length > 0) {
      console.error(`node otel check: ${failures.length} failed`);
      for (const f of failures) console.error('  ' + f);
      process.exit(1);
    }
    console.log('node otel check: all passed');
  }
}

(args.otel ? otelMain() : main()).catch((e) => {
  console.error(e);
  process.exit(2);
});
