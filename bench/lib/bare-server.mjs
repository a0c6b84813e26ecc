// The baseline: a bare node:http server that answers every request with the bytes Punchcard answered, with the
// same content type. Reads BARE_PORT, BARE_BODY (base64) and BARE_CONTENT_TYPE; prints "ready" when listening.
import http from 'node:http';

const body = Buffer.from(process.env.BARE_BODY ?? '', 'base64');
const contentType = process.env.BARE_CONTENT_TYPE ?? 'application/json; charset=utf-8';
const headers = { 'content-type': contentType, 'content-length': String(body.length) };

const server = http.createServer((request, response) => {
  request.resume();
  response.writeHead(200, headers);
  response.end(body);
});
server.keepAliveTimeout = 72_000; // as Fastify's default, so neither side closes connections under load
server.listen(Number(process.env.BARE_PORT), '127.0.0.1', () => console.log('ready'));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
