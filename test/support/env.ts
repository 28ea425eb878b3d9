// Every test runs offline: the Google clients must never probe the metadata server.
process.env.METADATA_SERVER_DETECTION = 'none';
