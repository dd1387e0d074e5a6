/**
 * @closeloop/web-components: importing this module registers <cl-feedback-form>,
 * <cl-feedback-tracker>, <cl-my-feedback> and <cl-satisfaction-survey>.
 */
export { FeedbackForm } from './feedback-form/feedback-form.ts';
export { FeedbackTracker } from './feedback-tracker/feedback-tracker.ts';
export { MyFeedback } from './my-feedback/my-feedback.ts';
export { SatisfactionSurvey } from './satisfaction-survey/satisfaction-survey.ts';
export { configure } from './shared/config.ts';
export { setLocale, getLocale, LOCALES, type Locale } from './shared/localization.ts';
export type * from './events.ts';
