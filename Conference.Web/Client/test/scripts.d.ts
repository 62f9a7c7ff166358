// wwwroot/scripts/*.js are plain scripts the pages load as they are (no module, no types); a test imports one to run
// it, for what it puts on window.
declare module '*/wwwroot/scripts/circuit-continuity.js';
