// The data source the TypeORM CLI and deploy scripts use; the app builds the same one.
import { loadConfig } from './src/config/app-config';
import { createDataSource } from './src/database/data-source';

export default createDataSource(loadConfig());
