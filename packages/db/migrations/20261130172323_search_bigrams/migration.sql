-- Staff search for two-character texts (吞卡, 王芳, very common in Chinese), which have no trigram: the
-- distinct two-character pieces of a text, lower-cased, for GIN indexes on feedback content and
-- customer names (pg_bigm does the same as an extension, but PGlite does not ship it).
CREATE FUNCTION closeloop_bigrams(t text) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN (SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}') FROM generate_series(1, char_length(t) - 1) AS i);
