// Defaults every room and the CLI's help name, kept free of schemas so `--help` loads none.

/** pipedai-api's production base URL. */
export const DEFAULT_API_URL = 'https://api.pipedai.app';
/** The control API's port unless `start --port` says otherwise (0 picks a free one). */
export const DEFAULT_CONTROL_PORT = 4599;
