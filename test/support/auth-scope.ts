// Google's OAuth scope prefix, spelled out here rather than taken from src/, so that a test compares what src/
// writes with Google's own spelling.
export const AUTH = 'https://www.googleapis.com/auth/';
