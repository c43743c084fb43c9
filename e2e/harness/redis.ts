/** A throwaway redis-server for the e2e tier; the same helper the relay's unit tests use. */
export { startRedisServer, freeLoopbackPort, type RedisTestServer } from '../../signaling/redis-test-server.ts';
