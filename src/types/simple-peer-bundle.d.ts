/** The prebuilt browser bundle of simple-peer has the same API as the package entry. */
declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}
