// <cl-feedback-tracker>, <cl-my-feedback> and <cl-satisfaction-survey>: a file of their own in
// /sdk/closeloop.js, loaded after the entry (see bundle.ts and load-elements.ts). Importing it registers them.
export { FeedbackTracker } from './feedback-tracker/feedback-tracker.ts';
export { MyFeedback } from './my-feedback/my-feedback.ts';
export { SatisfactionSurvey } from './satisfaction-survey/satisfaction-survey.ts';
