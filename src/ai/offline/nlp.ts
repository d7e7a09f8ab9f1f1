import model from 'wink-eng-lite-web-model';
import winkNLP from 'wink-nlp';

/**
 * The packaged English model (wink-eng-lite-web-model ships inside its npm package: nothing is
 * downloaded at run time), loaded once per process on first use.
 */
let instance: ReturnType<typeof winkNLP> | undefined;

export function nlp(): ReturnType<typeof winkNLP> {
  instance ??= winkNLP(model);
  return instance;
}
