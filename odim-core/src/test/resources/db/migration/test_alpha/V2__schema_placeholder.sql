COMMENT ON TABLE ${schema}.notes IS 'migrated into ${schema}';
