/** gru-native: GRU networks for Node.js at native speed. */
export * from './api';
import * as gruNative from './api';
/** `import gn from 'gru-native'` works as well as the named imports. */
export default gruNative;
