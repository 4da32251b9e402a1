// A discarding S3 endpoint on loopback, for measuring upload clients rather than a server:
//   node scripts/s3-null-server.mjs [PORT] [--rtt MS]   → prints "listening http://127.0.0.1:PORT"
// It speaks just enough of the S3 REST API for an upload to a fresh prefix: ListObjectsV2 answers "no
// objects", HEAD answers 404, a PUT's body is read to its end and dropped (its length checked against
// Content-Length), anything else is 501. It stores nothing, checks no signature and hashes nothing, so it
// costs a few percent of a core where a storing server (s3rver: MD5 and a file per object) is the limit.
// --rtt MS stands for a distant endpoint: each answer (a response, or the "100 Continue" a client that
// sends `Expect: 100-continue` waits for) leaves MS milliseconds after the request (or its body) arrived,
// one round trip each; bandwidth stays unlimited.
import { createServer } from 'node:http';

const args = process.argv.slice(2);
const rttAt = args.indexOf('--rtt');
const rtt = rttAt >= 0 ? Number(args.splice(rttAt, 2)[1]) : 0;
if (!(rtt >= 0)) throw new Error('--rtt expects milliseconds');
const port = Number(args[0] ?? 0);
const later = (action) => (rtt > 0 ? setTimeout(action, rtt) : action());
const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const text = (value) => value.replace(/[<>&]/g, '');
const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const [, bucket = ''] = url.pathname.split('/');
  if (request.method === 'GET' && url.searchParams.get('list-type') === '2') {
    response.setHeader('content-type', 'application/xml');
    const prefix = url.searchParams.get('prefix') ?? '';
    later(() => response.end(xml(`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${text(bucket)}</Name><Prefix>${text(prefix)}</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`)));
    return;
  }
  if (request.method === 'HEAD') {
    response.statusCode = 404;
    later(() => response.end());
    return;
  }
  if (request.method === 'PUT') {
    let received = 0;
    request.on('data', (chunk) => (received += chunk.length));
    request.on('end', () => {
      const expected = Number(request.headers['content-length'] ?? received);
      if (received !== expected) {
        response.statusCode = 400;
        response.end(xml(`<Error><Code>IncompleteBody</Code><Message>${received} of ${expected} bytes</Message></Error>`));
        return;
      }
      response.setHeader('etag', '"00000000000000000000000000000000"');
      later(() => response.end());
    });
    return;
  }
  request.resume();
  response.statusCode = 501;
  response.setHeader('content-type', 'application/xml');
  response.end(xml('<Error><Code>NotImplemented</Code><Message>this endpoint only takes uploads to a fresh prefix</Message></Error>'));
});
server.on('checkContinue', (request, response) =>
  later(() => {
    response.writeContinue();
    server.emit('request', request, response);
  }),
);
server.listen(port, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
