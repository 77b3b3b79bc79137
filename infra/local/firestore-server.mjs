// Starts @firestore-emulator/server (the pinned npm package) on 127.0.0.1:<port> and prints READY.
import { FirestoreServer } from "@firestore-emulator/server";

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node firestore-server.mjs <port>");
  process.exit(2);
}
const server = new FirestoreServer();
await server.start(port);
console.log(`READY 127.0.0.1:${port}`);
const stop = () => {
  server.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
