// The event trace: NotifierTrace records every notifier callback, device access,
// lifecycle step and reclaim scan of a machine; queries select from it,
// deviceHotEvictions finds pages reclaimed while a device used them, and the trace
// serialises to stable JSON or to the Chrome trace-event format.
export { NotifierTrace, type NotifierTraceOptions } from './notifier-trace.js';
export type { AllocRecord, CallbackRecord, CallbackResult, DeviceAccessRecord, LifecycleRecord, ScanRecord, TraceData } from './records.js';
export { matchCallback, matchDeviceAccess, type CallbackQuery, type DeviceAccessQuery } from './query.js';
export { deviceHotEvictions, type DeviceHotEviction } from './device-hot.js';
export { traceToJSON, type TraceJson, type DeviceHotEvictionJson } from './json.js';
export { toChromeTrace, CHROME_TASKS_PID, CHROME_OBSERVATION_PID, type ChromeTrace, type ChromeTraceEvent, type ChromeArg } from './chrome.js';
