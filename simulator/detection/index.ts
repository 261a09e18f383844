export type { BurnRateRule } from '../../record/timings/burn-rate-rule.ts'
export { workbookPageRules } from '../../record/timings/burn-rate-rule.ts'
export type { TheoreticalDetectionInput } from '../../record/timings/theoretical-detection-ms.ts'
export { theoreticalDetectionMs } from '../../record/timings/theoretical-detection-ms.ts'
export { alertFingerprint } from './alert-fingerprint.ts'
export type { AlertGrouper, AlertGrouperOptions } from './alert-grouper.ts'
export { createAlertGrouper, formatLabels } from './alert-grouper.ts'
export type {
  AlertmanagerAlert,
  AlertmanagerWebhook,
  AlertmanagerWebhookOptions,
} from './alertmanager-webhook.ts'
export { alertmanagerAlertOf, groupNotification, toAlertmanagerWebhook } from './alertmanager-webhook.ts'
export type { ReceivedAlert, ReceivedWebhook } from './alertmanager-webhook-schema.ts'
export { ReceivedWebhookSchema } from './alertmanager-webhook-schema.ts'
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
  PageDestinationInvalidError,
  PagerDutyFailedError,
  PrometheusTextInvalidError,
  ReplayNoSeriesError,
  RulesFileInvalidError,
  WebhookFailedError,
} from './errors.ts'
export type { PageDelivery, PageDeliveryRecord } from './page-delivery.ts'
export { createPageDelivery } from './page-delivery.ts'
export type { PageDestinations } from './page-destinations.ts'
export { pageDestinationsFromEnv } from './page-destinations.ts'
export type { PagerDutyEvent } from './pagerduty-event.ts'
export { dedupKeyOf, sendPagerDutyEvent } from './pagerduty-event.ts'
export type { PromSample } from './parse-prometheus-text.ts'
export { parsePrometheusText } from './parse-prometheus-text.ts'
export type { RecoveryState, RecoveryWatch, RecoveryWatchOptions } from './recovery-watch.ts'
export { createRecoveryWatch } from './recovery-watch.ts'
export { replayDetection } from './replay/replay-detection.ts'
export { prometheusRules } from './rules/prometheus-rules.ts'
export { renderSloRules } from './rules/render-slo-rules.ts'
export { slothSpec } from './rules/sloth-spec.ts'
export type { DetectionSettings, ScaledRule } from './scenario-detection.ts'
export { detectionSettingsOf, scenarioSlos } from './scenario-detection.ts'
export type { SendWebhookOptions } from './send-webhook.ts'
export { sendWebhook } from './send-webhook.ts'
export type { LabelMatcher, SeriesSelector } from './series-selector.ts'
export { formatSelector, matchesSelector } from './series-selector.ts'
export type { SliMetricNames, SloSpec } from './shop-slis.ts'
export { ordersAvailabilitySlo, SHOP_SLI_METRICS, sloOn } from './shop-slis.ts'
export type { Sli, SliEvents, SliKind, Slo } from './sli-definition.ts'
export type { SliCounts, SliSample, SliSeriesSource } from './sli-sample.ts'
export type { WindowEvidence } from './window-error-ratio.ts'
export { windowErrorRatio } from './window-error-ratio.ts'
