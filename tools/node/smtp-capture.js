// A real SMTP server for the tests (nodemailer's smtp-server): it accepts every message, with or without AUTH,
// and writes each one as it arrived (raw RFC 5322 bytes) to <dir>/NNNNNN.eml, with the SMTP envelope beside it in
// NNNNNN.json. The tests read those files. It exits when a file named "stop" appears in <dir> (a polite stop that
// keeps the directory, so the test can start it again on the same port with the same mail).
// Usage: node smtp-capture.js <dir> <port>
"use strict";
const fs = require("fs");
const path = require("path");
const { SMTPServer } = require("smtp-server");

const [dir, port] = process.argv.slice(2);
fs.mkdirSync(dir, { recursive: true });
let next = fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).length + 1;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"], // plain SMTP on loopback; the api's TLS mode is "None" against it
  onAuth(auth, session, callback) {
    callback(null, { user: auth.username });
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("end", () => {
      const name = String(next++).padStart(6, "0");
      const envelope = {
        mailFrom: session.envelope.mailFrom && session.envelope.mailFrom.address,
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
        user: session.user || null,
      };
      fs.writeFileSync(path.join(dir, name + ".json"), JSON.stringify(envelope));
      // Written under a temporary name and renamed, so a reader never sees half a message.
      fs.writeFileSync(path.join(dir, name + ".eml.tmp"), Buffer.concat(chunks));
      fs.renameSync(path.join(dir, name + ".eml.tmp"), path.join(dir, name + ".eml"));
      callback();
    });
  },
});
server.on("error", (error) => console.error("smtp-capture:", error.message));
server.listen(Number(port), "127.0.0.1", () => console.log(`smtp-capture listening on 127.0.0.1:${port}`));

const stopFile = path.join(dir, "stop");
setInterval(() => {
  if (fs.existsSync(stopFile)) {
    fs.unlinkSync(stopFile);
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  }
}, 100);
