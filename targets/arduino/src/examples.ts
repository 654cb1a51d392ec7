/** Example sketches of the Arduino library (standard Arduino APIs; Nano 33 BLE Sense sensors). */

export function staticBufferIno(header: string): string {
  return `/* tinyforge: classify one window pasted into features[] below and print the result.
 * Paste EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE raw values (comma-separated), e.g. a test case's
 * values or a sample file's, then upload and open the Serial Monitor at 115200 baud. */
#include <${header}>
#include <string.h>

static const float features[] = {
  // paste raw values here
};

static int get_feature_data(size_t offset, size_t length, float *out_ptr) {
  memcpy(out_ptr, features + offset, length * sizeof(float));
  return 0;
}

static void printResult(const ei_impulse_result_t &result) {
  Serial.print("timing: dsp ");
  Serial.print((long)result.timing.dsp_us);
  Serial.print(" us, classification ");
  Serial.print((long)result.timing.classification_us);
  Serial.println(" us");
  size_t best = 0;
  for (size_t i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) {
    Serial.print("  ");
    Serial.print(result.classification[i].label);
    Serial.print(": ");
    Serial.println(result.classification[i].value, 5);
    if (result.classification[i].value > result.classification[best].value) best = i;
  }
  Serial.print("prediction: ");
  Serial.println(result.classification[best].label);
}

void setup() {
  Serial.begin(115200);
  while (!Serial) {}
  Serial.println("tinyforge static buffer example");
}

void loop() {
  const size_t count = sizeof(features) / sizeof(features[0]);
  if (count != EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE) {
    Serial.print("features[] holds ");
    Serial.print((unsigned long)count);
    Serial.print(" values; paste ");
    Serial.print((unsigned long)EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE);
    Serial.println(" raw values into it");
    delay(5000);
    return;
  }
  signal_t signal;
  signal.total_length = EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE;
  signal.get_data = &get_feature_data;
  ei_impulse_result_t result;
  const EI_IMPULSE_ERROR err = run_classifier(&signal, &result, false);
  if (err != EI_IMPULSE_OK) {
    Serial.print("run_classifier failed: ");
    Serial.println((int)err);
    delay(5000);
    return;
  }
  printResult(result);
  delay(5000);
}

`;
}

/** PDM microphone (Nano 33 BLE Sense): record one window of int16 samples, classify, repeat. */
export function microphoneIno(header: string): string {
  return `/* tinyforge: keyword spotting from the PDM microphone (Arduino Nano 33 BLE Sense and other
 * boards with the PDM library). Records one window at EI_CLASSIFIER_FREQUENCY Hz, classifies it,
 * prints the scores. Samples stay int16 (half the RAM of floats) and are read as floats by get_data. */
#include <PDM.h>
#include <${header}>

static int16_t window[EI_CLASSIFIER_RAW_SAMPLE_COUNT];
static volatile size_t recorded = 0;
static volatile bool recording = false;
static int16_t pdm_chunk[512];

static void on_pdm_data() {
  int bytes = PDM.available();
  if (bytes > (int)sizeof(pdm_chunk)) bytes = sizeof(pdm_chunk);
  PDM.read(pdm_chunk, bytes);
  if (!recording) return;
  for (int i = 0; i < bytes / 2 && recorded < EI_CLASSIFIER_RAW_SAMPLE_COUNT; i++) window[recorded++] = pdm_chunk[i];
  if (recorded >= EI_CLASSIFIER_RAW_SAMPLE_COUNT) recording = false;
}

/* The pipeline was trained on int16-scaled audio (±32768), so samples go in unscaled. */
static int get_audio_data(size_t offset, size_t length, float *out_ptr) {
  for (size_t i = 0; i < length; i++) out_ptr[i] = (float)window[offset + i];
  return 0;
}

void setup() {
  Serial.begin(115200);
  while (!Serial) {}
  PDM.onReceive(on_pdm_data);
  if (!PDM.begin(1, EI_CLASSIFIER_FREQUENCY)) {
    Serial.println("failed to start the PDM microphone");
    while (1) {}
  }
  PDM.setGain(80);
  Serial.println("tinyforge microphone example");
}

void loop() {
  Serial.println("recording...");
  recorded = 0;
  recording = true;
  while (recording) delay(10);
  signal_t signal;
  signal.total_length = EI_CLASSIFIER_RAW_SAMPLE_COUNT;
  signal.get_data = &get_audio_data;
  ei_impulse_result_t result;
  const EI_IMPULSE_ERROR err = run_classifier(&signal, &result, false);
  if (err != EI_IMPULSE_OK) {
    Serial.print("run_classifier failed: ");
    Serial.println((int)err);
    return;
  }
  for (size_t i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) {
    Serial.print(result.classification[i].label);
    Serial.print(": ");
    Serial.println(result.classification[i].value, 5);
  }
}
`;
}

/** IMU accelerometer (Arduino_LSM9DS1 on the Nano 33 BLE Sense): sample one window, classify. */
export function accelerometerIno(header: string, axes: number): string {
  return `/* tinyforge: motion classification from the on-board accelerometer (Arduino_LSM9DS1).
 * Samples ${axes} axes every EI_CLASSIFIER_INTERVAL_MS ms into one window, classifies, repeats.
 * The IMU reports g; set CONVERT_G_TO_MS2 to 1.0f if the training data was in g too. */
#include <Arduino_LSM9DS1.h>
#include <${header}>

#define TF_AXES ${axes}
#define CONVERT_G_TO_MS2 9.80665f

static float window[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];

void setup() {
  Serial.begin(115200);
  while (!Serial) {}
  if (!IMU.begin()) {
    Serial.println("failed to start the IMU");
    while (1) {}
  }
  Serial.println("tinyforge accelerometer example");
}

void loop() {
  for (size_t i = 0; i + TF_AXES <= EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE; i += TF_AXES) {
    const unsigned long next = micros() + (unsigned long)(EI_CLASSIFIER_INTERVAL_MS * 1000);
    float xyz[3] = {0, 0, 0};
    while (!IMU.accelerationAvailable()) {}
    IMU.readAcceleration(xyz[0], xyz[1], xyz[2]);
    for (size_t a = 0; a < TF_AXES && a < 3; a++) window[i + a] = xyz[a] * CONVERT_G_TO_MS2;
    while ((long)(micros() - next) < 0) {}
  }
  signal_t signal;
  signal_from_buffer(window, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &signal);
  ei_impulse_result_t result;
  const EI_IMPULSE_ERROR err = run_classifier(&signal, &result, false);
  if (err != EI_IMPULSE_OK) {
    Serial.print("run_classifier failed: ");
    Serial.println((int)err);
    return;
  }
  for (size_t i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) {
    Serial.print(result.classification[i].label);
    Serial.print(": ");
    Serial.println(result.classification[i].value, 5);
  }
}
`;
}
