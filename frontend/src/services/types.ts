/** Short names for the generated schema types the pages use. */
import type { components, operations } from "./schema";

type Schemas = components["schemas"];

export type SearchPage = Schemas["SearchPage"];
export type SearchHit = Schemas["SearchHit"];
export type Facets = Schemas["Facets"];
export type Brand = Schemas["BrandPublic"];
export type BrandCreate = Schemas["BrandCreate"];
export type BrandUpdate = Schemas["BrandUpdate"];
export type AlertRule = Schemas["AlertRulePublic"];
export type AlertRuleCreate = Schemas["AlertRuleCreate"];
export type AlertRuleUpdate = Schemas["AlertRuleUpdate"];
export type AlertEvent = Schemas["AlertEvent"];
export type Ingestion = Schemas["IngestionPublic"];
export type DeadLetter = Schemas["DeadLetterPublic"];
export type Volume = Schemas["Volume"];
export type Spike = Schemas["Spike"];
export type SentimentSeries = Schemas["SentimentSeries"];
export type SentimentCounts = Schemas["SentimentCounts"];
export type Distribution = Schemas["Distribution"];
export type ShareOfVoice = Schemas["ShareOfVoice"];
export type EntityStat = Schemas["EntityStat"];
export type TermStat = Schemas["TermStat"];
export type Rollup = Schemas["RollupPublic"];
export type ErrorBody = Schemas["ErrorBody"];
/** The query parameters every mention endpoint takes (search, analytics, export). */
export type MentionQuery = NonNullable<operations["analytics-read_sentiment"]["parameters"]["query"]>;
export type Sentiment = NonNullable<MentionQuery["sentiment"]>[number];
export type Emotion = NonNullable<MentionQuery["emotion"]>[number];
