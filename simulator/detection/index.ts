export { alertFingerprint } from './alert-fingerprint.ts'
export type {
  AlertmanagerAlert,
  AlertmanagerWebhook,
  AlertmanagerWebhookOptions,
} from './alertmanager-webhook.ts'
export { toAlertmanagerWebhook } from './alertmanager-webhook.ts'
export type { BurnRateRule } from './burn-rate-rule.ts'
export { workbookPageRules } from './burn-rate-rule.ts'
export type {
  BurnRateAlert,
  BurnRateEvaluator,
  BurnRateEvaluatorOptions,
  BurnRateEvent,
  RuleEvaluation,
} from './create-burn-rate-evaluator.ts'
export { createBurnRateEvaluator } from './create-burn-rate-evaluator.ts'
export type { Scraper, ScraperOptions, ScrapeTick, TargetScrape } from './create-scraper.ts'
export { createScraper } from './create-scraper.ts'
export {
  DetectionErrorCode,
  DetectionOptionsInvalidError,
  PrometheusTextInvalidError,
  WebhookFailedError,
} from './errors.ts'
export type { PromSample } from './parse-prometheus-text.ts'
export { parsePrometheusText } from './parse-prometheus-text.ts'
export type { RecoveryState, RecoveryWatch, RecoveryWatchOptions } from './recovery-watch.ts'
export { createRecoveryWatch } from './recovery-watch.ts'
export type { SendWebhookOptions } from './send-webhook.ts'
export { sendWebhook } from './send-webhook.ts'
export type { LabelMatcher, SeriesSelector } from './series-selector.ts'
export { formatSelector, matchesSelector } from './series-selector.ts'
export type { SliMetricNames, SloSpec } from './shop-slis.ts'
export { ordersAvailabilitySlo, SHOP_SLI_METRICS, sloOn } from './shop-slis.ts'
export type { Sli, SliEvents, SliKind, Slo } from './sli-definition.ts'
export type { SliCounts, SliSample, SliSeriesSource } from './sli-sample.ts'
export type { TheoreticalDetectionInput } from './theoretical-detection-ms.ts'
export { theoreticalDetectionMs } from './theoretical-detection-ms.ts'
export type { WindowEvidence } from './window-error-ratio.ts'
export { windowErrorRatio } from './window-error-ratio.ts'
