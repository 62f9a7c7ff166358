import { LogLevel, setLogLevel } from 'livekit-client';

// livekit-client logs every state change; the test output should show only our failures.
setLogLevel(LogLevel.silent);
