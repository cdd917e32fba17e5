-- Where do the sources disagree, and by how much? Every pair of figures for the same thing that
-- differ beyond the stated tolerance (and, side by side, the other reading of the same pair),
-- largest relative gap first: both values, their periods, the reading and the sources' ids.
SELECT
    comparison,
    figure,
    round(a_value, 3) AS a_value,
    a_period,
    array_to_string(a_source_ids[1:2], ', ') AS a_ids,
    round(b_value, 4) AS b_value,
    b_period,
    b_sessions,
    b_value_one_session_less,
    array_to_string(b_source_ids[1:2], ', ') AS b_ids,
    reading,
    round(relative_gap_ratio, 3) AS relative_gap_ratio,
    beyond_tolerance
FROM mart.source_discrepancies
ORDER BY relative_gap_ratio DESC, discrepancy_id;
